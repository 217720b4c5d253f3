using NasPlatform.Engine.Latency;
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
        var stats = new LatencyMeter(torch.CPU, new LatencyOptions { WarmupRuns = 2, TimedRuns = 9, Threads = 1 })
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
