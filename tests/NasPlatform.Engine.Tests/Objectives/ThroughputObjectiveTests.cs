using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Tests.Objectives;

public class ThroughputObjectiveTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Theory]
    [InlineData(8.0, LatencyConstraint.Soft)]
    [InlineData(12.8, LatencyConstraint.Soft)]
    [InlineData(20.0, LatencyConstraint.Hard)]
    public void Score_ReportsImagesPerSecond_AndRewardsThroughputAsMnasNetRewardsLatency(double batchMs, LatencyConstraint constraint)
    {
        // Budget 10 ms per batch of 64: a target of 6,400 images/s.
        var target = new LatencyTarget(10, constraint);
        var objective = new ThroughputObjective.Definition().Create(target, Json("{\"batchSize\": 64}"));
        Assert.Equal(64, objective.MeasureBatchSize);
        var score = objective.Score(new ObjectiveInput(0.9, batchMs, new OpCost(1, 1)));
        double ips = 64 * 1000 / batchMs;
        Assert.Equal(ips, score.Terms["imagesPerSecond"], 6);
        Assert.Equal(6400, score.Terms["targetImagesPerSecond"], 6);
        // metric x (throughput / target)^-w: the same number as MnasNet's reward on the batch time.
        double w = constraint == LatencyConstraint.Soft ? -0.07 : ips >= 6400 ? 0 : -1; // MnasNet's soft and hard exponents
        Assert.Equal(0.9 * Math.Pow(6400 / ips, w), score.Reward, 9);
        Assert.Equal(new MnasObjective(target).Score(new ObjectiveInput(0.9, batchMs, new OpCost(1, 1))).Reward, score.Reward, 12);
    }

    [Fact]
    public void Definition_RefusesBadBatchSizes_AndUnknownOptions_DefaultsTo64()
    {
        var definition = new ThroughputObjective.Definition();
        var target = new LatencyTarget(10, LatencyConstraint.Soft);
        Assert.Equal(ThroughputObjective.DefaultBatchSize, definition.Create(target, null).MeasureBatchSize);
        Assert.Contains("batchSize", Assert.Throws<ArgumentException>(() => definition.Create(target, Json("{\"batchSize\": 0}"))).Message);
        Assert.Throws<ArgumentException>(() => definition.Create(target, Json("{\"batchSize\": 5000}")));
        Assert.Throws<ArgumentException>(() => definition.Create(target, Json("{\"batch\": 8}")));
        Assert.Contains(SearchCatalog.BuiltIn.Objectives.All, o => o.Name == ThroughputObjective.ObjectiveName);
    }

    [Fact]
    public void ASearch_WithTheThroughputObjective_TimesEveryCandidateOnBatchesOfItsSize()
    {
        var data = new DatasetBundle(TinyImages.Make(60, 3, 1, 16, seed: 1), TinyImages.Make(20, 3, 1, 16, seed: 2), "test");
        var options = new SearchOptions
        {
            LatencyBudgetMs = 50, Strategy = "random", MaxTrials = 2, ProxyEpochs = 1, ProxyFraction = 1, FinalEpochs = 1, Threads = 1, Seed = 3,
            Objective = ThroughputObjective.ObjectiveName, ObjectiveOptions = Json("{\"batchSize\": 4}"),
            Training = new TrainingOptions { BatchSize = 16 }, Latency = new LatencyOptions { WarmupRuns = 1, TimedRuns = 6, Rounds = 2 },
        };
        var result = new SearchRunner(data, options).Run();
        using var network = result.Final.Network;
        Assert.All(result.Trials.Where(t => !t.Failed), t =>
        {
            Assert.Equal(4, t.Outcome.Latency.BatchSize);
            Assert.Equal(4000 / t.Outcome.Latency.MedianMs, t.Outcome.Score.Terms["imagesPerSecond"], 6);
        });
        Assert.Equal(4, result.Final.Latency.BatchSize);
        Assert.Equal(4000 / result.Final.Latency.MedianMs, result.Final.Score.Terms["imagesPerSecond"], 6);
    }
}
