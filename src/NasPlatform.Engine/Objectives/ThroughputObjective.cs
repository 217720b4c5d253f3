using System.Text.Json;
using NasPlatform.Engine.Components;

namespace NasPlatform.Engine.Objectives;

/// <summary>
/// TResNet's point: on a GPU what matters is images per second at a serving batch size, not batch-1
/// latency. Every candidate is measured running <see cref="MeasureBatchSize"/> images at once; the
/// search's latency budget is the time allowed per batch, so the target throughput is
/// batch x 1000 / budget images/s, and the reward is metric x (throughput / target)^-w with MnasNet's
/// soft or hard exponents (the same trade-off, read as throughput).
/// </summary>
public sealed class ThroughputObjective(LatencyTarget target, int batchSize) : ISearchObjective
{
    public const string ObjectiveName = "throughput";
    public const int DefaultBatchSize = 64, MaxBatchSize = 4096;

    public string Name => ObjectiveName;

    public int MeasureBatchSize => batchSize;

    /// <summary>Images per second of a measured batch time.</summary>
    public static double ImagesPerSecond(int batchSize, double batchMs) => batchMs > 0 ? batchSize * 1000.0 / batchMs : 0;

    public TrialScore Score(ObjectiveInput input)
    {
        // Per batch, (latency / budget) is exactly (target throughput / throughput): MnasNet's formula on the batch time.
        double reward = MnasReward.Compute(input.Metric, input.LatencyMs, target.BudgetMs, target.Constraint);
        return new TrialScore(reward, new Dictionary<string, double>
        {
            ["metric"] = input.Metric,
            ["imagesPerSecond"] = ImagesPerSecond(batchSize, input.LatencyMs),
            ["targetImagesPerSecond"] = ImagesPerSecond(batchSize, target.BudgetMs),
            ["batchSize"] = batchSize,
            ["throughputFactor"] = MnasReward.Compute(1, input.LatencyMs, target.BudgetMs, target.Constraint),
        });
    }

    public sealed record Options
    {
        /// <summary>Images per measured batch (the serving batch size).</summary>
        public int BatchSize { get; init; } = DefaultBatchSize;
    }

    public sealed class Definition : IObjectiveDefinition
    {
        public string Name => ObjectiveName;

        public string Description =>
            "Throughput at a batch size (TResNet, for GPU serving): candidates are timed on batches of batchSize images (default 64); " +
            "the latency budget is the time per batch, so the target is batchSize x 1000 / budget images/s; reward = metric x (batch time / budget)^w.";

        public ISearchObjective Create(LatencyTarget target, JsonElement? options)
        {
            var o = ComponentOptions.Read<Options>(options, $"the {Name} objective");
            if (o.BatchSize is < 1 or > MaxBatchSize) throw new ArgumentException($"batchSize must be between 1 and {MaxBatchSize}.");
            return new ThroughputObjective(target, o.BatchSize);
        }
    }
}
