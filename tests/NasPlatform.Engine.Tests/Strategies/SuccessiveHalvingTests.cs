using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Strategies.MultiFidelity;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Tests.Strategies;

public class SuccessiveHalvingTests
{
    private static readonly DecisionSpace Space = new([new("a", 6), new("b", 6), new("c", 6)]);

    /// <summary>A toy objective whose best point is (5, 5, 5); lower rungs see it through a fixed distortion that keeps the order of good points.</summary>
    private static double Reward(IReadOnlyList<int> c, int rung) => (c[0] + c[1] + c[2]) / 15.0 * (0.5 + 0.5 * (rung + 1) / 3.0);

    private static (List<(int[] Choices, int Rung)> Proposals, IMultiFidelityStrategy Strategy) Run(string name, int steps, string? stateAt = null, int stopAt = -1)
    {
        var strategy = (IMultiFidelityStrategy)BuiltInStrategies.Create(name, Space, 7, new StrategyOptions { Eta = 3, Rungs = 3 });
        var proposals = new List<(int[], int)>();
        for (int i = 0; i < steps; i++)
        {
            var c = strategy.Propose();
            proposals.Add((c, strategy.LastRung));
            strategy.Report(c, strategy.LastRung, Reward(c, strategy.LastRung));
        }
        return (proposals, strategy);
    }

    [Theory]
    [InlineData(SuccessiveHalving.AshaName)]
    [InlineData(SuccessiveHalving.HyperbandName)]
    public void ThePromotedToTheTopRung_AreTheBestOfTheCheapRung(string name)
    {
        var (proposals, strategy) = Run(name, 60);
        var top = proposals.Where(p => p.Rung == strategy.Rungs - 1).Select(p => string.Join(",", p.Choices)).ToHashSet();
        Assert.NotEmpty(top);
        // The best architecture evaluated at rung 0 (in a bracket that started there) went all the way up.
        var startedAtZero = proposals.Where(p => p.Rung == 0).ToList();
        var best = startedAtZero.Take(9).MaxBy(p => Reward(p.Choices, 0));
        Assert.Contains(string.Join(",", best.Choices), top);
        // Rungs cost eta times more each: 1/9, 1/3, 1 of the proxy budget.
        Assert.Equal([0.111111, 0.333333, 1.0], Enumerable.Range(0, 3).Select(strategy.RungBudget).Select(b => Math.Round(b, 6)));
        strategy.Dispose();
    }

    [Theory]
    [InlineData(SuccessiveHalving.AshaName)]
    [InlineData(SuccessiveHalving.HyperbandName)]
    public void AfterAStopAndResume_TheDecisionsAreIdentical(string name)
    {
        var (expected, whole) = Run(name, 40);
        whole.Dispose();
        var first = (IMultiFidelityStrategy)BuiltInStrategies.Create(name, Space, 7, new StrategyOptions { Eta = 3, Rungs = 3 });
        var seen = new List<(int[] Choices, int Rung)>();
        for (int i = 0; i < 17; i++)
        {
            var c = first.Propose();
            seen.Add((c, first.LastRung));
            first.Report(c, first.LastRung, Reward(c, first.LastRung));
        }
        string state = first.SaveState();
        first.Dispose();
        using var resumed = (IMultiFidelityStrategy)BuiltInStrategies.Create(name, Space, 7, new StrategyOptions { Eta = 3, Rungs = 3 });
        resumed.LoadState(state);
        for (int i = 17; i < 40; i++)
        {
            var c = resumed.Propose();
            seen.Add((c, resumed.LastRung));
            resumed.Report(c, resumed.LastRung, Reward(c, resumed.LastRung));
        }
        Assert.Equal(expected.Select(p => (string.Join(",", p.Choices), p.Rung)), seen.Select(p => (string.Join(",", p.Choices), p.Rung)));
    }

    [Fact]
    public void ARungsFidelity_SpendsEpochsFirst_ThenAShareOfTheData()
    {
        Assert.Equal(new TrialFidelity(2, 9, 1.0), TrialFidelity.ForRung(2, 1.0, 9));
        Assert.Equal(new TrialFidelity(1, 3, 1.0), TrialFidelity.ForRung(1, 1.0 / 3, 9));
        Assert.Equal(new TrialFidelity(0, 1, 1.0 / 3), TrialFidelity.ForRung(0, 1.0 / 9, 3));
    }

    [Fact]
    public void TheMedianRule_StopsACurveBelowTheMedianOfCompletedOnes_OnlyWithEnoughOfThem()
    {
        static EpochReport E(int epoch, double metric) => new(epoch, 3, 1, 0, metric, 1, 1, 1);
        var rule = new MedianStopping();
        Assert.False(rule.ShouldStop([E(1, 0.1)])); // nothing to compare with yet
        rule.Completed([E(1, 0.5), E(2, 0.6), E(3, 0.7)]);
        rule.Completed([E(1, 0.6), E(2, 0.7), E(3, 0.8)]);
        rule.Completed([E(1, 0.4), E(2, 0.5), E(3, 0.6)]);
        Assert.True(rule.ShouldStop([E(1, 0.3)]));
        Assert.False(rule.ShouldStop([E(1, 0.55)]));
        Assert.False(rule.ShouldStop([E(1, 0.1), E(2, 0.2), E(3, 0.2)])); // the last epoch is never cut
    }
}
