using NasPlatform.Engine.Training;

namespace NasPlatform.Platform.Progress;

/// <summary>What browsers and API clients are told as work happens (also the SignalR message payloads).</summary>
public sealed record DatasetUpdate(Guid DatasetId, string Status, string? Error);

public sealed record SearchUpdate(Guid SearchId, string Status, string Phase, int TrialsCompleted, int MaxTrials, Guid? BestTrialId, Guid? ModelId, string? Error);

public sealed record TrialUpdate(Guid SearchId, Guid TrialId, int Number, string Status, double? ValidationMetric, double? LatencyMs,
    double? Reward, long Parameters, long Macs, string? Worker, bool FromCache, string? Error);

/// <summary>An epoch of trial <see cref="Number"/>, or of the final training when Number is 0; metrics are the task's primary metric.</summary>
public sealed record EpochUpdate(Guid SearchId, Guid? TrialId, int Number, int Epoch, int Epochs, double TrainLoss, double TrainMetric,
    double? ValidationMetric, double Seconds)
{
    public static EpochUpdate Of(Guid searchId, Guid? trialId, int number, EpochReport r) =>
        new(searchId, trialId, number, r.Epoch, r.Epochs, r.TrainLoss, r.TrainMetric, r.ValidationMetric, r.Seconds);
}

/// <summary>
/// Where jobs report progress. The web host fans it out over SignalR and to the Blazor pages;
/// a standalone worker without a hub drops it (the database has it anyway).
/// </summary>
public interface IProgressSink
{
    Task DatasetChanged(DatasetUpdate update);
    Task SearchChanged(SearchUpdate update);
    Task TrialChanged(TrialUpdate update);
    Task EpochFinished(EpochUpdate update);
}

public sealed class NullProgressSink : IProgressSink
{
    public Task DatasetChanged(DatasetUpdate update) => Task.CompletedTask;
    public Task SearchChanged(SearchUpdate update) => Task.CompletedTask;
    public Task TrialChanged(TrialUpdate update) => Task.CompletedTask;
    public Task EpochFinished(EpochUpdate update) => Task.CompletedTask;
}
