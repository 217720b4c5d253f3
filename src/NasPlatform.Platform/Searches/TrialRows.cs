using System.Text.Json;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Training;

namespace NasPlatform.Platform.Searches;

/// <summary>The one mapping between the engine's trial outcome and a trial row, both ways.</summary>
public static class TrialRows
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Store(Trial row, TrialOutcome outcome)
    {
        row.ValidationMetric = outcome.ValidationMetric;
        row.LatencyMs = outcome.Latency.MedianMs;
        row.LatencyJson = JsonSerializer.Serialize(outcome.Latency, Json);
        row.Parameters = outcome.Cost.Parameters;
        row.Macs = outcome.Cost.MultiplyAdds;
        row.Reward = outcome.Reward;
        row.RewardTermsJson = JsonSerializer.Serialize(outcome.Score.Terms, Json);
        row.HistoryJson = JsonSerializer.Serialize(outcome.History, Json);
        row.StoppedAtEpoch = outcome.History is [.., var last] && last.Epoch < last.Epochs ? last.Epoch : null;
        row.Seconds = outcome.Seconds;
    }

    /// <summary>The outcome of a succeeded trial.</summary>
    public static TrialOutcome Outcome(Trial row) => new(
        row.ValidationMetric ?? 0,
        JsonSerializer.Deserialize<LatencyStats>(row.LatencyJson ?? throw new InvalidOperationException($"Trial {row.Number} has no latency."), Json)!,
        new OpCost(row.Parameters, row.Macs),
        new TrialScore(row.Reward ?? 0, row.RewardTermsJson is null ? new Dictionary<string, double>()
            : JsonSerializer.Deserialize<Dictionary<string, double>>(row.RewardTermsJson, Json)!),
        History(row),
        row.Seconds ?? 0);

    public static IReadOnlyList<EpochReport> History(Trial row) => JsonSerializer.Deserialize<List<EpochReport>>(row.HistoryJson, Json) ?? [];

    public static int[] Choices(Trial row) => JsonSerializer.Deserialize<int[]>(row.ChoicesJson)!;
}
