using System.Text.Json;
using System.Text.Json.Nodes;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Training;

namespace NasPlatform.Web.Api;

public sealed record DatasetCreated(Guid Id, string Name, string Status);

/// <param name="Task">classification (one label per image) or segmentation (a mask per image): what searches of it are for.</param>
/// <param name="ClassCounts">Training images per class; for segmentation, the training images in which each class appears.</param>
/// <param name="PixelShares">Segmentation: each class's share of the scored pixels of the training part; empty for classification.</param>
public sealed record DatasetDto(Guid Id, string Name, string Format, string Task, string Status, string? Error, int NumClasses, IReadOnlyList<string> ClassNames,
    IReadOnlyList<int> ClassCounts, IReadOnlyList<double> PixelShares, int TrainCount, int TestCount, int[] InputShape, long UploadBytes, DateTimeOffset CreatedAt,
    DateTimeOffset? ReadyAt)
{
    public static DatasetDto From(Dataset d) => new(d.Id, d.Name, d.Format, d.Task, Lower(d.Status), d.Error, d.NumClasses, d.ClassNames, d.ClassCounts,
        d.PixelShares, d.TrainCount, d.TestCount, d.Status == DatasetStatus.Ready ? [d.Channels, d.Height, d.Width] : [], d.UploadBytes, d.CreatedAt, d.ReadyAt);

    internal static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}

public sealed record SearchAccepted(Guid Id, string Status);

/// <summary>A search's topology prior: IRLAS's mirror stimuli from an expert network (null expert = the space's default), weighted in the reward.</summary>
public sealed record PriorDto(string Name, double Weight, string? Expert)
{
    public static PriorDto? Of(Search s) => s.Prior == "none" ? null : new(s.Prior, s.PriorWeight, s.PriorExpert);
}

/// <param name="Metric">The task's primary metric: what the trials' validationMetric and the model's testMetric are.</param>
/// <param name="Outcome">Once the model exists: met, over-budget (a hard budget the model misses) or soft.</param>
/// <param name="Finalists">Under a hard budget, once the final training started: the best trials near the budget measured again, and whether each kept it (the first that did was trained).</param>
public sealed record SearchDto(Guid Id, string Name, Guid DatasetId, string Status, string Phase, string Kind, string SearchSpace, JsonNode? SpaceOptions,
    string Task, string Metric, string Strategy, JsonNode? StrategyOptions, string Objective, JsonNode? ObjectiveOptions,
    double LatencyBudgetMs, string Constraint, string TargetDevice, int MaxTrials, double? MaxMinutes, int ProxyEpochs, double ProxyFraction,
    int FinalEpochs, int BatchSize, bool HorizontalFlip, double RandomErasing, double? EmaDecay, string EarlyStopping, bool Baselines, long Seed, int Parallelism,
    int TrialsCompleted, TrialDto? BestTrial, Guid? ModelId, string? Outcome, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    double? WaitForWorkerMinutes, bool WaitingForWorker, JsonNode? Finalists, PriorDto? Prior, Guid? StudyId, string? LatencyDevice)
{
    /// <param name="online">Device classes with a worker online: an unfinished search for another class is waiting for one.</param>
    public static SearchDto From(Search s, Trial? best, IReadOnlySet<string> online) => new(s.Id, s.Name, s.DatasetId, DatasetDto.Lower(s.Status), s.Phase, s.Kind,
        s.SearchSpace, Node(s.SpaceOptionsJson), s.Task, s.Metric, s.Strategy, Node(s.StrategyOptionsJson), s.Objective, Node(s.ObjectiveOptionsJson),
        s.LatencyBudgetMs, s.Constraint, s.TargetDevice, s.MaxTrials, s.MaxMinutes, s.ProxyEpochs, s.ProxyFraction, s.FinalEpochs,
        s.BatchSize, s.HorizontalFlip, s.RandomErasing, s.EmaDecay, s.EarlyStopping, s.Baselines, s.Seed, s.Parallelism, s.TrialsCompleted,
        best is null ? null : TrialDto.From(best), s.ModelId, s.Outcome, s.Error, s.CreatedAt, s.StartedAt, s.FinishedAt,
        s.WaitForWorkerMinutes, !s.IsFinished && !online.Contains(s.TargetDevice), Node(s.FinalistsJson), PriorDto.Of(s), s.StudyId, s.LatencyDevice);

    internal static JsonNode? Node(string? json) => json is null ? null : JsonNode.Parse(json);
}

/// <summary>A repair the watchdog made to a stuck search.</summary>
public sealed record RepairDto(DateTimeOffset At, string Message);

public sealed record TrialDto(Guid Id, Guid SearchId, int Number, string Status, JsonNode? Architecture, string ArchitectureHash,
    double? ValidationMetric, double? LatencyMs, JsonNode? Latency, long Parameters, long Macs, double? Reward, JsonNode? RewardTerms, int ProxyEpochs,
    double ProxyFraction, IReadOnlyList<EpochReport> History, bool FromCache, string? Worker, string? Error, double? PredictedLatencyMs, bool Skipped, int? Rung,
    int? StoppedAtEpoch, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, double? Seconds)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static TrialDto From(Trial t, bool withHistory = true) => new(t.Id, t.SearchId, t.Number, DatasetDto.Lower(t.Status),
        JsonNode.Parse(t.ArchitectureJson), t.ArchitectureHash, t.ValidationMetric, t.LatencyMs,
        SearchDto.Node(t.LatencyJson), t.Parameters, t.Macs, t.Reward, SearchDto.Node(t.RewardTermsJson), t.ProxyEpochs, t.ProxyFraction,
        withHistory ? JsonSerializer.Deserialize<List<EpochReport>>(t.HistoryJson, Web) ?? [] : [], t.FromCache, t.Worker, t.Error,
        t.PredictedLatencyMs, t.Skipped, t.Rung, t.StoppedAtEpoch,
        t.StartedAt, t.FinishedAt, t.Seconds);
}

/// <param name="DominatedBySearch">Once both exist: the search's model is at least as accurate and as fast as this baseline, and better in one.</param>
public sealed record BaselineDto(Guid Id, int Number, string Name, string Family, double Width, string SearchSpace, JsonNode? Architecture,
    string ArchitectureHash, string Status, string? Reason, double? TestMetric, double? LatencyMs, JsonNode? Latency, long Parameters, long Macs,
    JsonNode? Recipe, double Seconds, bool? DominatedBySearch, DateTimeOffset? FinishedAt)
{
    public static BaselineDto From(Baseline b, TrainedModel? model) => new(b.Id, b.Number, b.Name, b.Family, b.Width, b.SearchSpace,
        JsonNode.Parse(b.ArchitectureJson), b.ArchitectureHash, DatasetDto.Lower(b.Status), b.Reason, b.TestMetric, b.LatencyMs,
        SearchDto.Node(b.LatencyJson), b.Parameters, b.Macs, SearchDto.Node(b.RecipeJson), b.Seconds, Dominated(b, model), b.FinishedAt);

    private static bool? Dominated(Baseline b, TrainedModel? m) =>
        m is null || b.Status != BaselineStatus.Trained || b.TestMetric is not { } acc || b.LatencyMs is not { } lat ? null
            : Engine.Zoo.BaselineResult.Dominates(m.TestMetric, m.LatencyMs, acc, lat);
}

/// <param name="HeldOutWithin10Percent">Share of measured architectures predicted within +-10% by a predictor fitted without them (5-fold); null below 10 trials.</param>
public sealed record LatencyPredictorDto(string DeviceClass, int TableEntries, int Observations, double? HeldOutWithin10Percent, double? InterceptMs, double? Scale);

public sealed record PagedList<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);

public sealed record ModelDto(Guid Id, Guid SearchId, Guid TrialId, string Name, string SearchSpace, string Task, JsonNode? Architecture,
    string ArchitectureHash, string Metric, double TestMetric, JsonNode? TestMetrics, double TestLoss, double LatencyMs, JsonNode? Latency,
    long Parameters, long Macs, double Reward, JsonNode? RewardTerms, string Device, double TrainSeconds, JsonNode? Recipe, JsonNode? Budget,
    JsonNode? Onnx, DateTimeOffset CreatedAt)
{
    public static ModelDto From(TrainedModel m) => new(m.Id, m.SearchId, m.TrialId, m.Name, m.SearchSpace, m.Task, JsonNode.Parse(m.ArchitectureJson),
        m.ArchitectureHash, m.Metric, m.TestMetric, SearchDto.Node(m.TestMetricsJson), m.TestLoss, m.LatencyMs, SearchDto.Node(m.LatencyJson),
        m.Parameters, m.Macs, m.Reward, SearchDto.Node(m.RewardTermsJson), m.Device, m.TrainSeconds, SearchDto.Node(m.RecipeJson),
        SearchDto.Node(m.BudgetJson), SearchDto.Node(m.OnnxJson), m.CreatedAt);
}

public sealed record WorkerDto(string Id, string Host, string DeviceClass, string DeviceName, int Threads, long? MemoryBytes,
    IReadOnlyList<string> Queues, bool InProcess, bool Online, DateTimeOffset StartedAt, DateTimeOffset LastSeen);
