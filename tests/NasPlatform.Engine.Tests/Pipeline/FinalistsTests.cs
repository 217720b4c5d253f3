using NasPlatform.Engine.Components;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;
using TorchSharp;

namespace NasPlatform.Engine.Tests.Pipeline;

public class FinalistsTests
{
    private sealed record Row(int Number, double Reward, double LatencyMs, Candidate Candidate);

    private static Candidate Corner(bool largest)
    {
        var space = SearchCatalog.BuiltIn.Spaces.Get("mnasnet-small").Create(new SpaceInput(new FeatureShape(1, 28, 28), new TaskOutput(10)), null);
        var arch = space.Decode(space.Decisions.Decisions.Select(d => largest ? d.Cardinality - 1 : 0).ToArray());
        return new Candidate(arch, space.Graph(arch), Mnas.Task);
    }

    private static readonly LatencyMeter Meter = new(torch.CPU, new LatencyOptions { WarmupRuns = 3, TimedRuns = 30, Rounds = 5 });

    private static (Row? Chosen, IReadOnlyList<FinalistCheck> Checks) Choose(IReadOnlyCollection<Row> rows, double budget, LatencyConstraint constraint) =>
        Finalists.Choose(rows, new LatencyTarget(budget, constraint), r => r.Reward, r => r.Number, r => r.LatencyMs, r => r.Candidate, Meter, CancellationToken.None);

    [Fact]
    public void UnderAHardBudget_ATrialMeasuredLowByChanceIsCheckedAndPassedOver()
    {
        TorchRuntime.EnsureLoaded();
        var small = Corner(largest: false);
        double smallMs;
        using (var net = small.Build(1)) smallMs = Meter.Measure(net, small.Graph.Input).MedianMs;
        double budget = 2 * smallMs;
        // The large net's trial reported half the budget: its figure was wrong, and its reward is the best.
        var rows = new List<Row> { new(1, 0.9, budget / 2, Corner(largest: true)), new(2, 0.8, budget / 2, small), new(3, 0.7, budget / 3, small) };

        var (chosen, checks) = Choose(rows, budget, LatencyConstraint.Hard);

        Assert.Equal(2, chosen!.Number);
        Assert.Equal([1, 2], checks.Select(c => c.Trial));
        Assert.False(checks[0].WithinBudget);
        Assert.True(checks[0].RemeasuredMs > budget);
        Assert.True(checks[1].WithinBudget);
        Assert.Equal(budget / 2, checks[1].TrialLatencyMs);
    }

    [Fact]
    public void UnderASoftBudget_NothingIsMeasuredAgain()
    {
        var rows = new List<Row> { new(1, 0.9, 5, Corner(largest: true)), new(2, 0.8, 1, Corner(largest: false)) };
        var (chosen, checks) = Choose(rows, 1, LatencyConstraint.Soft);
        Assert.Equal(1, chosen!.Number);
        Assert.Empty(checks);
    }

    [Fact]
    public void WhenNoFinalistKeepsTheBudget_TheUsualChoiceStands()
    {
        TorchRuntime.EnsureLoaded();
        // A budget no network meets: every finalist fails the check and the best by reward within its trial figure is trained.
        var rows = new List<Row> { new(1, 0.9, 1e-6, Corner(largest: true)), new(2, 0.8, 1e-6, Corner(largest: false)) };
        var (chosen, checks) = Choose(rows, 1e-5, LatencyConstraint.Hard);
        Assert.Equal(1, chosen!.Number);
        Assert.Equal(2, checks.Count);
        Assert.All(checks, c => Assert.False(c.WithinBudget));
    }
}
