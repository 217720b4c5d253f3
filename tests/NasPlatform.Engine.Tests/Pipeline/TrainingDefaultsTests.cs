using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Pipeline;

namespace NasPlatform.Engine.Tests.Pipeline;

public class TrainingDefaultsTests
{
    [Fact]
    public void LargeData_KeepsThePapersProxy_AndFifteenFinalEpochs()
    {
        var f = TrainingDefaults.For(60_000, 0.1, new FidelityRequest());
        Assert.Equal(new Fidelity(ProxyEpochs: 3, ProxyFraction: 0.25, FinalEpochs: 15, BatchSize: 128), f);
    }

    [Fact]
    public void SmallData_GetsEnoughSteps_ThroughMoreEpochsAndSmallerBatches()
    {
        var f = TrainingDefaults.For(2_000, 0.1, new FidelityRequest());
        Assert.Equal(64, f.BatchSize);
        Assert.Equal(1.0, f.ProxyFraction);
        int proxySteps = f.ProxyEpochs * (int)Math.Ceiling(1800 / 64.0);
        int finalSteps = f.FinalEpochs * (int)Math.Ceiling(2000 / 64.0);
        Assert.InRange(proxySteps, TrainingDefaults.ProxySteps, TrainingDefaults.ProxySteps + 29);
        Assert.InRange(finalSteps, TrainingDefaults.FinalSteps, TrainingDefaults.FinalSteps + 31);
    }

    [Fact]
    public void WhatTheUserGives_IsKept()
    {
        var f = TrainingDefaults.For(2_000, 0.1, new FidelityRequest(ProxyEpochs: 1, ProxyFraction: 0.5, FinalEpochs: 2, BatchSize: 32));
        Assert.Equal(new Fidelity(1, 0.5, 2, 32), f);
        var o = TrainingDefaults.Apply(new SearchOptions { LatencyBudgetMs = 1 }, f);
        Assert.Equal((1, 0.5, 2, 32), (o.ProxyEpochs, o.ProxyFraction, o.FinalEpochs, o.Training.BatchSize));
    }

    [Fact]
    public void TinyData_StaysWithinTheEpochBounds()
    {
        var f = TrainingDefaults.For(10, 0.1, new FidelityRequest());
        Assert.Equal(TrainingDefaults.MaxProxyEpochs, f.ProxyEpochs);
        Assert.Equal(TrainingDefaults.MaxFinalEpochs, f.FinalEpochs);
    }
}

public class LatencyBudgetTests
{
    private sealed record T(int Number, double Reward, double LatencyMs);

    private static readonly List<T> Trials = [new(1, 0.95, 1.3), new(2, 0.90, 0.9), new(3, 0.85, 0.5)];

    [Fact]
    public void HardBudget_SelectsTheBestWithinIt_EvenWhenAnOverBudgetOneHasMoreReward()
    {
        var best = LatencyBudget.Select(Trials, new LatencyTarget(1.0, LatencyConstraint.Hard), t => t.Reward, t => t.Number, t => t.LatencyMs);
        Assert.Equal(2, best!.Number);
    }

    [Fact]
    public void SoftBudget_OrNoTrialWithinAHardOne_SelectsTheBestReward()
    {
        Assert.Equal(1, LatencyBudget.Select(Trials, new LatencyTarget(1.0, LatencyConstraint.Soft), t => t.Reward, t => t.Number, t => t.LatencyMs)!.Number);
        Assert.Equal(1, LatencyBudget.Select(Trials, new LatencyTarget(0.1, LatencyConstraint.Hard), t => t.Reward, t => t.Number, t => t.LatencyMs)!.Number);
        Assert.Null(LatencyBudget.Select(new List<T>(), new LatencyTarget(1, LatencyConstraint.Hard), t => t.Reward, t => t.Number, t => t.LatencyMs));
    }

    [Theory]
    [InlineData(LatencyConstraint.Hard, 1.05, true, "met")]
    [InlineData(LatencyConstraint.Hard, 1.2, false, "over-budget")]
    [InlineData(LatencyConstraint.Soft, 1.2, false, "soft")]
    [InlineData(LatencyConstraint.Soft, 0.5, true, "soft")]
    public void Check_AllowsTheStatedTolerance_AndOnlyAHardBudgetIsAPromise(LatencyConstraint constraint, double measured, bool met, string outcome)
    {
        var check = LatencyBudget.Check(new LatencyTarget(1.0, constraint), measured);
        Assert.Equal((met, outcome), (check.Met, check.Outcome));
        Assert.Equal(LatencyBudget.Tolerance, check.Tolerance);
        Assert.Contains("ms", check.Message);
    }
}
