using NasPlatform.Engine.Strategies;

namespace NasPlatform.Engine.Tests.Strategies;

public class StrategyOptionsTests
{
    [Theory]
    [InlineData(20, 5, 2, 2)]
    [InlineData(100, 25, 6, 2)]
    [InlineData(400, 100, 25, 8)]
    [InlineData(5000, 100, 25, 10)]
    [InlineData(3, 4, 2, 2)]
    public void ForBudget_SizesThePopulationTournamentAndControllerBatchFromTheTrialBudget(int trials, int population, int sample, int batch)
    {
        var o = new StrategyOptions().ForBudget(trials);
        Assert.Equal(population, o.PopulationSize);
        Assert.Equal(sample, o.SampleSize);
        Assert.Equal(batch, o.BatchSize);
    }

    [Fact]
    public void ForBudget_KeepsWhatTheUserGave_AndWithoutABudgetUsesThePapersSizes()
    {
        var given = new StrategyOptions { PopulationSize = 7, BatchSize = 3 }.ForBudget(100);
        Assert.Equal((7, 2, 3), (given.PopulationSize!.Value, given.SampleSize!.Value, given.BatchSize!.Value));
        var none = new StrategyOptions().ForBudget(null);
        Assert.Equal((20, 5, 5), (none.PopulationSize!.Value, none.SampleSize!.Value, none.BatchSize!.Value));
    }

    [Fact]
    public void ForBudget_APopulationOfOne_GetsATournamentOfOne()
    {
        var o = new StrategyOptions { PopulationSize = 1 }.ForBudget(20);
        Assert.Equal(1, o.SampleSize);
    }

    [Fact]
    public void ATwentyTrialEvolution_MutatesAfterAQuarterOfItsBudget_InsteadOfSamplingUniformlyThroughout()
    {
        var problem = new ToyProblem(6, 4);
        using var evolution = BuiltInStrategies.Create("evolution", problem.Space, seed: 2, new StrategyOptions().ForBudget(20));
        var seen = new List<int[]>();
        for (int i = 0; i < 20; i++)
        {
            var choices = evolution.Propose();
            if (i >= 5) Assert.Contains(seen, earlier => earlier.Zip(choices).Count(p => p.First != p.Second) == 1); // a one-decision mutation
            seen.Add(choices);
            evolution.Report(choices, problem.Reward(choices));
        }
    }
}
