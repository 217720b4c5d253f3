using Hangfire;
using Hangfire.States;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Searches;

namespace NasPlatform.Platform.Jobs;

public sealed class HangfireJobScheduler(IBackgroundJobClient client, JobStorage storage) : IJobScheduler
{
    /// <summary>Short control jobs (ingestion, orchestration) share this queue; trials never wait behind them.</summary>
    public const string ControlQueue = "default";

    public string EnqueueIngestion(Guid datasetId) =>
        client.Create<DatasetIngestionJob>(j => j.RunAsync(datasetId, CancellationToken.None), new EnqueuedState(ControlQueue));

    public string EnqueueSearchStart(Guid searchId) =>
        client.Create<SearchCoordinator>(j => j.StartAsync(searchId, CancellationToken.None), new EnqueuedState(ControlQueue));

    public string EnqueueSearchAdvance(Guid searchId) =>
        client.Create<SearchCoordinator>(j => j.AdvanceAsync(searchId, CancellationToken.None), new EnqueuedState(ControlQueue));

    public string EnqueueTrial(Guid trialId, string deviceClass) =>
        client.Create<TrialJob>(j => j.RunAsync(trialId, null, CancellationToken.None), new EnqueuedState(deviceClass));

    public string EnqueueFinalTraining(Guid searchId, string deviceClass) =>
        client.Create<FinalTrainingJob>(j => j.RunAsync(searchId, null, CancellationToken.None), new EnqueuedState(deviceClass));

    public string EnqueueBaselines(Guid searchId, string deviceClass) =>
        client.Create<BaselinesJob>(j => j.RunAsync(searchId, CancellationToken.None), new EnqueuedState(deviceClass));

    public string EnqueueOneShot(Guid searchId, string deviceClass) =>
        client.Create<OneShotSearchJob>(j => j.RunAsync(searchId, null, CancellationToken.None), new EnqueuedState(deviceClass));

    public void Delete(string jobId) => client.Delete(jobId);

    private static readonly HashSet<string> LiveStates = [EnqueuedState.StateName, ScheduledState.StateName, AwaitingState.StateName, ProcessingState.StateName];

    public bool IsLive(string jobId)
    {
        using var connection = storage.GetConnection();
        return connection.GetJobData(jobId)?.State is { } state && LiveStates.Contains(state);
    }
}
