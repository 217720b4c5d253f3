using NasPlatform.Data.Entities;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Searches;

namespace NasPlatform.Web.Tests.Platform;

public class SearchSetupTests
{
    private static Search Stored(string? strategyOptionsJson) => new()
    {
        Name = "s", SearchSpace = "mnasnet", Strategy = "evolution", Constraint = "soft", TargetDevice = "cpu", MaxTrials = 20,
        LatencyBudgetMs = 3, ProxyEpochs = 1, ProxyFraction = 1, FinalEpochs = 1, StrategyOptionsJson = strategyOptionsJson,
    };

    [Fact]
    public void ASearchStoredBeforeOptionsWere_KeepsTheSizesItStartedWith()
    {
        var options = SearchSetup.ToEngine(Stored(null), new WorkerOptions()).StrategyOptions;
        Assert.Equal((20, 5, 5), (options.PopulationSize!.Value, options.SampleSize!.Value, options.BatchSize!.Value));
    }

    [Fact]
    public void StoredOptions_AreTheOnesUsed()
    {
        var options = SearchSetup.ToEngine(Stored("""{"populationSize":7,"sampleSize":3,"batchSize":2}"""), new WorkerOptions()).StrategyOptions;
        Assert.Equal((7, 3, 2), (options.PopulationSize!.Value, options.SampleSize!.Value, options.BatchSize!.Value));
    }
}
