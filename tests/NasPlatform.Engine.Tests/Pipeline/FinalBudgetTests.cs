using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Tests.Pipeline;

public class FinalBudgetTests
{
    private static EpochReport Epoch(double imagesPerSecond) => new(1, 3, 1, 0.5, 0.5, 1, 1, imagesPerSecond);

    [Fact]
    public void Epochs_FitTheRemainingTime_AtTheMedianMeasuredSpeed_LessTheReserve()
    {
        // 54,000 images at 1,000 images/s: 54 s an epoch; (3,600 - 60) x 0.9 = 3,186 s hold 59 of them.
        var (epochs, reason) = FinalBudget.Epochs(60, 3600, [Epoch(900), Epoch(1000), Epoch(1100)], 54_000);
        Assert.Equal(59, epochs);
        Assert.Contains("59 of 60 final epochs", reason);
        Assert.Contains("54 s per epoch", reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(100_000.0)]
    public void Epochs_WithoutABudget_OrWithRoomToSpare_AreTheRequestedOnes(double? remaining)
    {
        Assert.Equal((60, (string?)null), FinalBudget.Epochs(60, remaining, [Epoch(1000)], 54_000));
    }

    [Fact]
    public void Epochs_AreAtLeastOne_EvenWhenTheSearchSpentEverything()
    {
        Assert.Equal(1, FinalBudget.Epochs(60, -30, [Epoch(1000)], 54_000).Epochs);
    }

    [Fact]
    public void Epochs_WithoutAMeasuredSpeed_AreTheRequestedOnes()
    {
        Assert.Equal(60, FinalBudget.Epochs(60, 10, [], 54_000).Epochs);
    }

    [Fact]
    public void ATotalBudgetWithoutASearchBudget_GivesTheSearchHalf()
    {
        var options = new SearchOptions { LatencyBudgetMs = 1, MaxTotalMinutes = 90 };
        Assert.Equal(45, options.SearchMinutes);
        Assert.Equal(20, (options with { MaxMinutes = 20 }).SearchMinutes);
        Assert.Throws<ArgumentException>(() => (options with { MaxMinutes = 90 }).Validate());
    }

    /// <summary>Trains nothing; reports a training speed so the final budget has something to go by.</summary>
    private sealed class SpeedEstimator(double imagesPerSecond) : IPerformanceEstimator
    {
        public TrialMeasurement Estimate(Candidate candidate, long seed, Action<EpochReport>? onEpoch, CancellationToken ct)
        {
            var stats = new LatencyStats(1, 1, 1, 1, 1, 1, 5, 1, 1, "cpu");
            return new TrialMeasurement(0.5, stats, [Epoch(imagesPerSecond)], 0.01);
        }
    }

    [Theory]
    [InlineData(1_000_000.0, 3)]
    [InlineData(1.0, 1)]
    public void ASearchWithATotalBudget_TrainsTheFinalModelForTheEpochsThatFit(double imagesPerSecond, int expected)
    {
        var data = new DatasetBundle(TinyImages.Make(60, 3, 1, 16, seed: 1), TinyImages.Make(15, 3, 1, 16, seed: 2), "test");
        var options = new SearchOptions
        {
            LatencyBudgetMs = 2, MaxTrials = 2, FinalEpochs = 3, Threads = 2, Seed = 4, MaxTotalMinutes = 2,
            Training = new TrainingOptions { BatchSize = 32 }, Latency = new LatencyOptions { WarmupRuns = 1, TimedRuns = 3 },
        };
        var events = new List<SearchEvent>();
        var result = new SearchRunner(data, options, events.Add, new SpeedEstimator(imagesPerSecond)).Run();
        result.Final.Network.Dispose();
        var started = events.OfType<FinalTrainingStarted>().Single();
        Assert.Equal(expected, started.Epochs);
        Assert.Equal(expected, result.Final.History.Count);
        Assert.Equal(expected < 3, started.Shortened is not null);
    }
}
