using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Tests.Pipeline;

/// <summary>
/// Numbers reported to users are honest only if the search never looks at the test split (the dataset check that every
/// test class occurs in training reads its labels, nothing else before the final evaluation).
/// </summary>
public class TestSplitIntegrityTests
{
    [Fact]
    public void NothingTheSearchDecides_DependsOnTheTestSplit_OnlyTheFinalEvaluationReadsIt()
    {
        var train = TinyImages.Make(120, 3, 1, 16, seed: 1);
        var test = TinyImages.Make(40, 3, 1, 16, seed: 2);
        // The same test images with inverted pixels and rotated labels: any read of them by a trial would change its figures.
        var poisoned = new ImageDataset(test.Pixels.Select(p => (byte)(255 - p)).ToArray(), test.Labels.Select(l => (l + 1) % 3).ToArray(),
            test.ClassNames, test.Channels, test.Height, test.Width);
        var options = new SearchOptions
        {
            LatencyBudgetMs = 5, Space = "resnet", Strategy = "random", MaxTrials = 3, ProxyEpochs = 1, ProxyFraction = 1, FinalEpochs = 1, Threads = 1, Seed = 9,
            Training = new TrainingOptions { BatchSize = 32 }, Latency = new LatencyOptions { WarmupRuns = 1, TimedRuns = 3, Rounds = 1 },
        };

        var clean = new SearchRunner(new DatasetBundle(train, test, "test"), options).Run();
        var dirty = new SearchRunner(new DatasetBundle(train, poisoned, "test"), options).Run();
        clean.Final.Network.Dispose();
        dirty.Final.Network.Dispose();

        Assert.Equal(clean.Trials.Select(t => t.ArchitectureHash), dirty.Trials.Select(t => t.ArchitectureHash));
        Assert.Equal(clean.Trials.Select(t => t.ValidationMetric), dirty.Trials.Select(t => t.ValidationMetric));
        Assert.Equal(clean.Trials.Select(t => t.Outcome.History.Select(e => e.TrainLoss)), dirty.Trials.Select(t => t.Outcome.History.Select(e => e.TrainLoss)));
        // The final evaluation is the one place that reads it.
        Assert.NotEqual(clean.Final.Test.Loss, dirty.Final.Test.Loss);
    }
}
