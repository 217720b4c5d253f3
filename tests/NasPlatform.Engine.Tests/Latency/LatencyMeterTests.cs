using NasPlatform.Engine.Components;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;
using TorchSharp;

namespace NasPlatform.Engine.Tests.Latency;

public class LatencyMeterTests
{
    [Fact]
    public void Measure_ReportsOrderedStatisticsForTheRequestedRuns()
    {
        TorchRuntime.EnsureLoaded();
        var arch = new MnasSearchSpace(1, 28, 28, 10).ReferenceArchitecture();
        using var net = Mnas.Network(arch);
        var stats = new LatencyMeter(torch.CPU, new LatencyOptions { WarmupRuns = 2, TimedRuns = 9, Threads = 1, Method = LatencyMethod.Direct })
            .Measure(net, 1, 28, 28);
        Assert.Equal(9, stats.Runs);
        Assert.Equal(1, stats.BatchSize);
        Assert.True(stats.MinMs > 0);
        Assert.True(stats.MinMs <= stats.P10Ms && stats.P10Ms <= stats.MedianMs && stats.MedianMs <= stats.P90Ms && stats.P90Ms <= stats.MaxMs);
    }

    [Fact]
    public void Measure_RestoresTheTrainingThreadCount()
    {
        TorchRuntime.Configure(2);
        var arch = new MnasSearchSpace(1, 16, 16, 2).ReferenceArchitecture();
        using var net = Mnas.Network(arch);
        new LatencyMeter(torch.CPU, new LatencyOptions { WarmupRuns = 0, TimedRuns = 3, Threads = 1 }).Measure(net, 1, 16, 16);
        Assert.Equal(2, torch.get_num_threads());
    }

    [Fact]
    public void Percentile_Interpolates()
    {
        double[] sorted = [1, 2, 3, 4, 5];
        Assert.Equal(3, LatencyMeter.Percentile(sorted, 0.5));
        Assert.Equal(1.4, LatencyMeter.Percentile(sorted, 0.1), 10);
    }

    [Fact]
    public void Options_TooFewRuns_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => new LatencyOptions { TimedRuns = 2 }.Validate());
    }
}

public class LatencySummaryTests
{
    [Fact]
    public void Summarize_ReportsTheFastestRoundMedian_SoBackgroundLoadDoesNotInflateIt()
    {
        // Five rounds of four runs; the middle rounds were slowed down by another process.
        double[] times = [5, 5, 5, 5, 9, 9, 9, 9, 9, 9, 9, 9, 5.2, 5.2, 5.2, 5.2, 5, 5, 5.1, 5.1];
        var stats = LatencyMeter.Summarize(times, new LatencyOptions { TimedRuns = 20, Rounds = 5 }, "cpu");
        Assert.Equal(5, stats.MedianMs);
        Assert.Equal(9, stats.MaxMs);
        Assert.Equal(20, stats.Runs);
    }

    [Fact]
    public void Summarize_OneRound_IsThePlainMedian()
    {
        var stats = LatencyMeter.Summarize([3, 1, 2, 10, 4], new LatencyOptions { TimedRuns = 5, Rounds = 1 }, "cpu");
        Assert.Equal(3, stats.MedianMs);
    }
}

public class RelativeLatencyTests
{
    private static Candidate Corner(string spaceName, bool largest)
    {
        var input = new FeatureShape(1, 28, 28);
        var space = SearchCatalog.BuiltIn.Spaces.Get(spaceName).Create(new SpaceInput(input, new TaskOutput(10)), null);
        var arch = space.Decode(space.Decisions.Decisions.Select(d => largest ? d.Cardinality - 1 : 0).ToArray());
        return new Candidate(arch, space.Graph(arch), Mnas.Task);
    }

    [Fact]
    public void Relative_TimesTheModelAgainstTheCalibratedReference()
    {
        TorchRuntime.EnsureLoaded();
        using var net = Corner("mnasnet-small", largest: false).Build(1);
        var stats = new LatencyMeter(torch.CPU, new LatencyOptions { WarmupRuns = 2, TimedRuns = 30, Rounds = 5 }).Measure(net, 1, 28, 28);
        Assert.Equal("relative", stats.Method);
        Assert.True(stats.ReferenceMs > 0);
        Assert.Equal(30, stats.Runs);
        Assert.True(stats.MedianMs > 0 && stats.RoundSpread >= 0);
        Assert.True(stats.MinMs <= stats.P10Ms && stats.P10Ms <= stats.P90Ms && stats.P90Ms <= stats.MaxMs);
    }

    [Fact]
    public void Relative_KeepsTheOrderOfModelsFarApartInCost()
    {
        TorchRuntime.EnsureLoaded();
        var meter = new LatencyMeter(torch.CPU, new LatencyOptions { WarmupRuns = 3, TimedRuns = 30, Rounds = 5 });
        var small = Corner("mnasnet-small", largest: false);
        var large = Corner("mnasnet-small", largest: true);
        Assert.True(large.Cost.MultiplyAdds > 20 * small.Cost.MultiplyAdds, $"the corners should be far apart in cost: {small.Cost.MultiplyAdds} vs {large.Cost.MultiplyAdds}");
        using var a = small.Build(1);
        using var b = large.Build(1);
        Assert.True(meter.Measure(b, 1, 28, 28).MedianMs > meter.Measure(a, 1, 28, 28).MedianMs);
    }

    [Fact]
    public void Reference_KeepsTheLowestRoundMedianItHasSeen()
    {
        TorchRuntime.EnsureLoaded();
        int calls = 0;
        var reference = ReferenceNetwork.For(torch.CPU, 3, 9, 9, new LatencyOptions { Threads = 1 }, _ => { calls++; return [0.5, 0.4, 0.6]; });
        Assert.Equal(0.4, reference.CalibratedMs);
        reference.Observe([0.45, 0.3, 0.7]);
        Assert.Equal(0.3, reference.CalibratedMs);
        reference.Observe([0.9]);
        Assert.Equal(0.3, reference.CalibratedMs);
        Assert.Same(reference, ReferenceNetwork.For(torch.CPU, 3, 9, 9, new LatencyOptions { Threads = 1 }, _ => { calls++; return [1.0]; }));
        Assert.Equal(1, calls);
    }
}

public class LatencyRuntimeTests
{
    [Fact]
    public void InOnnxRuntime_ACandidateIsTimedAsItsExportedGraph_AndTheFigureSaysWhere()
    {
        TorchRuntime.EnsureLoaded();
        var catalog = SearchCatalog.BuiltIn;
        var space = catalog.Spaces.Get("resnet").Create(new SpaceInput(new FeatureShape(1, 16, 16), new TaskOutput(3)), null);
        var arch = space.Decode(space.Decisions.Decisions.Select(_ => 0).ToArray());
        var candidate = new Candidate(arch, space.Graph(arch), catalog.Tasks.Get("classification"));
        using var net = candidate.Build(1);
        var options = new LatencyOptions { WarmupRuns = 2, TimedRuns = 9, Rounds = 3, Runtime = LatencyRuntime.OnnxRuntime };
        var stats = new LatencyMeter(torch.CPU, options).Measure(candidate, net);
        Assert.Equal(OnnxRuntimeTimer.Device, stats.Device);
        Assert.Equal(9, stats.Runs);
        Assert.True(stats.MinMs > 0 && stats.MinMs <= stats.MedianMs && stats.MedianMs <= stats.MaxMs);

        var eager = new LatencyMeter(torch.CPU, options with { Runtime = LatencyRuntime.TorchSharp }).Measure(candidate, net);
        Assert.NotEqual(OnnxRuntimeTimer.Device, eager.Device);
    }
}
