namespace NasPlatform.Ctl.Http;

// The parts of the API's JSON that nasctl reads. Ids stay strings and nearly everything is nullable:
// a newer server may add or omit fields, and the client should keep working. --json output never
// goes through these records; it prints the server's JSON as it came.

/// <summary>The answer to an upload (201) or a search launch (202).</summary>
public sealed record Accepted(string? Id, string? Status);

public sealed record Dataset(
    string Id, string? Name, string? Format, string? Status, string? Error, int? NumClasses, IReadOnlyList<string>? ClassNames,
    IReadOnlyList<int>? ClassCounts, int? TrainCount, int? TestCount, IReadOnlyList<int>? InputShape, long? UploadBytes,
    DateTimeOffset? CreatedAt, DateTimeOffset? ReadyAt);

public sealed record Search(
    string Id, string? Name, string? DatasetId, string? Status, string? Phase, string? SearchSpace, string? Metric, string? Strategy, double? LatencyBudgetMs,
    string? Constraint, string? TargetDevice, int? MaxTrials, double? MaxMinutes, int? FinalEpochs, int? TrialsCompleted,
    Trial? BestTrial, string? ModelId, string? Outcome, string? Error, DateTimeOffset? CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    public bool IsFinished => Status is SearchStatus.Succeeded or SearchStatus.Failed or SearchStatus.Cancelled;

    /// <summary>A hard latency budget the final model misses.</summary>
    public bool OverBudget => Outcome == "over-budget";
}

public static class SearchStatus
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

public sealed record Trial(
    string Id, int Number, string? Status, double? ValidationMetric, double? LatencyMs, long? Parameters, double? Reward,
    bool? FromCache, string? Worker, string? Error, double? Seconds)
{
    public bool IsFinished => Status is SearchStatus.Succeeded or SearchStatus.Failed or SearchStatus.Cancelled;
}

public sealed record TrialsPage(IReadOnlyList<Trial>? Items, int Total, int Page, int PageSize);

public sealed record Model(
    string Id, string? SearchId, string? TrialId, string? Name, string? Metric, double? TestMetric, double? TestLoss, double? LatencyMs,
    long? Parameters, long? Macs, double? Reward, string? Device, double? TrainSeconds, DateTimeOffset? CreatedAt)
{
    /// <summary>The test accuracy, when accuracy is the model's metric (classification).</summary>
    public double? TestAccuracy => Metric is null or "accuracy" ? TestMetric : null;
}

public sealed record Device(string Id, string? Name, string? Target, bool Online, DateTimeOffset? LastSeenAt, string? Hardware, string? Token);

public sealed record Webhook(string Id, string? Url, IReadOnlyList<string>? Events, DateTimeOffset? CreatedAt, string? Secret);

public sealed record WebhookDelivery(
    string Id, string? Event, string? Status, int? Attempts, int? LastStatusCode, string? LastError, DateTimeOffset? CreatedAt,
    DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt);
