using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Tests.Pipeline;

public class SearchRunnerTests
{
    /// <summary>Instant, deterministic estimates: accuracy grows with depth, latency with MACs.</summary>
    private sealed class FakeEstimator : IPerformanceEstimator
    {
        public int Calls { get; private set; }

        public TrialMeasurement Estimate(Candidate candidate, long seed, Action<EpochReport>? onEpoch, CancellationToken ct)
        {
            var architecture = (MnasArchitecture)candidate.Architecture;
            Calls++;
            double accuracy = Math.Min(0.99, 0.5 + architecture.Depth / 40.0);
            double latency = Mnas.Cost(architecture).MultiplyAdds / 2e6;
            onEpoch?.Invoke(new EpochReport(1, 1, 1.0, 0.5, accuracy, 1.0, 0.01, 1000));
            var stats = new LatencyStats(latency, latency, latency, latency, latency, latency, 5, 1, 1, "cpu");
            return new TrialMeasurement(accuracy, stats, [], 0.01);
        }
    }

    private static DatasetBundle Data() =>
        new(TinyImages.Make(120, 3, 1, 16, seed: 1), TinyImages.Make(30, 3, 1, 16, seed: 2), "test");

    private static SearchOptions Options(string strategy = "random", int trials = 6) => new()
    {
        LatencyBudgetMs = 2,
        Strategy = strategy,
        MaxTrials = trials,
        FinalEpochs = 1,
        Threads = 2,
        Seed = 4,
        Training = new TrainingOptions { BatchSize = 32 },
        Latency = new LatencyOptions { WarmupRuns = 1, TimedRuns = 3 },
    };

    [Fact]
    public void Run_EmitsEventsInOrder_AndRetrainsTheBestTrialByReward()
    {
        var events = new List<SearchEvent>();
        var result = new SearchRunner(Data(), Options(), events.Add, new FakeEstimator()).Run();
        using var network = result.Final.Network;

        Assert.IsType<SearchStarted>(events[0]);
        Assert.IsType<SearchFinished>(events[^1]);
        var trialEvents = events.OfType<TrialFinished>().Select(e => e.Record.Trial).ToList();
        Assert.Equal([1, 2, 3, 4, 5, 6], trialEvents);
        Assert.Equal(6, events.OfType<TrialStarted>().Count());
        int finalStart = events.FindIndex(e => e is FinalTrainingStarted);
        Assert.True(finalStart > events.FindLastIndex(e => e is TrialFinished));
        Assert.Contains(events.Skip(finalStart), e => e is EpochFinished { Trial: 0 });

        var best = result.Trials.MaxBy(t => t.Reward)!;
        Assert.Equal(best.Trial, result.Selected.Trial);
        Assert.InRange(result.Final.Test.Metric, 0, 1);
        Assert.NotEmpty(result.ParetoTrials);
        Assert.Contains(result.ParetoTrials, t => t == result.Trials.MaxBy(x => x.ValidationMetric)!.Trial);
    }

    [Fact]
    public void Run_SameSeed_ProposesTheSameTrials()
    {
        List<string> Hashes()
        {
            var r = new SearchRunner(Data(), Options("evolution", 8), null, new FakeEstimator()).Run();
            r.Final.Network.Dispose();
            return r.Trials.Select(t => t.ArchitectureHash).ToList();
        }
        Assert.Equal(Hashes(), Hashes());
    }

    [Fact]
    public void Run_TimeBudgetSpent_StopsEarlyAndSaysWhy()
    {
        var slow = new SlowEstimator();
        var result = new SearchRunner(Data(), Options(trials: 50) with { MaxMinutes = 0.001 }, null, slow).Run();
        result.Final.Network.Dispose();
        Assert.True(result.Trials.Count < 50);
        Assert.Contains("time budget", result.StopReason);
    }

    [Fact]
    public void Run_UnderATimeBudget_SizesTheStrategyFromTheFirstTrialsPace_NotFromTheTrialCap()
    {
        // Sized from the cap of 400 trials, evolution would sample a population of 100 at random; 1.2 s at about 30 ms a
        // trial hold far fewer.
        var result = new SearchRunner(Data(), Options("evolution", 400) with { MaxMinutes = 0.02 }, null, new SlowEstimator()).Run();
        result.Final.Network.Dispose();
        Assert.Equal(100, new Engine.Strategies.StrategyOptions().ForBudget(400).PopulationSize);
        Assert.InRange(result.Options.StrategyOptions.PopulationSize!.Value, 4, 25);
        Assert.True(result.Trials.Count < 400);
    }

    /// <summary>Every other new architecture diverges; with <c>all</c>, every one does.</summary>
    private sealed class DivergingEstimator(bool all = false) : IPerformanceEstimator
    {
        private readonly FakeEstimator _inner = new();
        private int _calls;

        public TrialMeasurement Estimate(Candidate candidate, long seed, Action<EpochReport>? onEpoch, CancellationToken ct) =>
            all || _calls++ % 2 == 0
                ? throw new TrainingDivergedException("Training diverged: the loss became NaN in epoch 1, step 2.")
                : _inner.Estimate(candidate, seed, onEpoch, ct);
    }

    [Fact]
    public void Run_ATrialThatFails_IsRecordedWithItsReason_AndTheSearchGoesOn()
    {
        var result = new SearchRunner(Data(), Options(trials: 6), null, new DivergingEstimator()).Run();
        using var network = result.Final.Network;
        Assert.Equal(6, result.Trials.Count);
        var failed = result.Trials.Where(t => t.Failed).ToList();
        Assert.NotEmpty(failed);
        Assert.All(failed, t => Assert.Contains("diverged", t.Error));
        Assert.All(failed, t => Assert.Equal(0, t.Reward));
        Assert.False(result.Selected.Failed);
        Assert.DoesNotContain(result.ParetoTrials, n => failed.Any(f => f.Trial == n));
    }

    [Fact]
    public void Run_TooManyTrialsFailingInARow_StopsTheSearchWithTheLastReason_AfterItsCheckpoint()
    {
        SearchCheckpoint? last = null;
        var e = Assert.Throws<SearchStoppedException>(() => new SearchRunner(Data(), Options(trials: 12), ev =>
        {
            if (ev is CheckpointReady c) last = c.Checkpoint;
        }, new DivergingEstimator(all: true)).Run());
        Assert.Contains($"The last {FailurePolicy.MaxConsecutiveFailures} trials failed in a row", e.Message);
        Assert.Contains("Training diverged", e.Message);
        Assert.Equal(FailurePolicy.MaxConsecutiveFailures, last!.Trials.Count);
    }

    [Fact]
    public void FailurePolicy_CountsOnlyTrainedTrials_AndASuccessEndsTheStreak()
    {
        FailurePolicy.Finished Fail(string e) => new(true, false, false, e);
        var ok = new FailurePolicy.Finished(false, false, false, null);
        var skipped = new FailurePolicy.Finished(true, true, false, "skipped");
        var cached = new FailurePolicy.Finished(false, false, true, null);
        Assert.Null(FailurePolicy.StopReason([Fail("a"), Fail("b"), Fail("c"), Fail("d"), ok]));
        Assert.Null(FailurePolicy.StopReason([Fail("a"), Fail("b"), skipped, skipped, Fail("c"), Fail("d")]));
        Assert.Contains("Last error: e", FailurePolicy.StopReason([ok, Fail("a"), Fail("b"), cached, Fail("c"), skipped, Fail("d"), Fail("e")]));
    }

    [Fact]
    public void Run_NoTrialSucceeding_EndsWithTheFirstReason()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new SearchRunner(Data(), Options(trials: 3), null, new DivergingEstimator(all: true)).Run());
        Assert.Contains("No trial succeeded: Training diverged", e.Message);
    }

    [Fact]
    public void Options_Invalid_AreRefusedBeforeAnyWork()
    {
        Assert.Throws<ArgumentException>(() => new SearchRunner(Data(), Options() with { LatencyBudgetMs = 0 }));
        Assert.Throws<ArgumentException>(() => new SearchRunner(Data(), Options() with { Strategy = "genetic" }));
        Assert.Throws<ArgumentException>(() => new SearchRunner(Data(), Options() with { ProxyFraction = 0 }));
    }

    private sealed class SlowEstimator : IPerformanceEstimator
    {
        private readonly FakeEstimator _inner = new();

        public TrialMeasurement Estimate(Candidate candidate, long seed, Action<EpochReport>? onEpoch, CancellationToken ct)
        {
            var architecture = (MnasArchitecture)candidate.Architecture;
            Thread.Sleep(30);
            return _inner.Estimate(candidate, seed, onEpoch, ct);
        }
    }
}

public class SearchRunnerResumeTests
{
    [Theory]
    [InlineData("random")]
    [InlineData("evolution")]
    [InlineData("mnasnet-rl")]
    public void Resume_FromACheckpoint_ProposesWhatAnUninterruptedSearchWould(string strategy)
    {
        var data = new Engine.Datasets.DatasetBundle(TinyImages.Make(60, 3, 1, 16, seed: 1), TinyImages.Make(15, 3, 1, 16, seed: 2), "test");
        var options = new SearchOptions
        {
            LatencyBudgetMs = 2, Strategy = strategy, MaxTrials = 12, FinalEpochs = 1, Threads = 2, Seed = 9,
            StrategyOptions = new Engine.Strategies.StrategyOptions(),
            Training = new TrainingOptions { BatchSize = 32 },
            Latency = new LatencyOptions { WarmupRuns = 1, TimedRuns = 3 },
        };
        var full = new SearchRunner(data, options, null, new DeterministicEstimator()).Run();
        full.Final.Network.Dispose();

        SearchCheckpoint? afterFive = null;
        var firstPart = new SearchRunner(data, options with { MaxTrials = 5 }, e =>
        {
            if (e is CheckpointReady c && c.Checkpoint.Trials.Count == 5) afterFive = c.Checkpoint;
        }, new DeterministicEstimator()).Run();
        firstPart.Final.Network.Dispose();

        var restored = SearchCheckpoint.FromJson(afterFive!.ToJson());
        var resumed = new SearchRunner(data, options, null, new DeterministicEstimator(), restored).Run();
        resumed.Final.Network.Dispose();

        Assert.Equal(full.Trials.Select(t => t.ArchitectureHash), resumed.Trials.Select(t => t.ArchitectureHash));
        Assert.Equal(full.Trials.Select(t => t.Reward), resumed.Trials.Select(t => t.Reward));
    }

    /// <summary>Rewards that depend only on the architecture, so a resumed run sees the same results.</summary>
    private sealed class DeterministicEstimator : IPerformanceEstimator
    {
        public TrialMeasurement Estimate(Candidate candidate, long seed, Action<EpochReport>? onEpoch, CancellationToken ct)
        {
            var architecture = (MnasArchitecture)candidate.Architecture;
            double accuracy = 0.3 + (Convert.ToInt32(architecture.Hash[..4], 16) % 600) / 1000.0;
            double latency = 0.5 + architecture.Depth / 10.0;
            var stats = new LatencyStats(latency, latency, latency, latency, latency, latency, 3, 1, 1, "cpu");
            return new TrialMeasurement(accuracy, stats, [], 0);
        }
    }
}
