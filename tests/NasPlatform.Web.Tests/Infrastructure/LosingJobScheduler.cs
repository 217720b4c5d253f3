using NasPlatform.Platform.Jobs;

namespace NasPlatform.Web.Tests.Infrastructure;

/// <summary>
/// The platform's real scheduler, which can be told to lose the next jobs the way a process that dies
/// between committing a row and queuing its job does: the row is stored, no job exists, and no job
/// id is recorded. Off unless a test asks.
/// </summary>
public sealed class LosingJobScheduler(HangfireJobScheduler inner) : IJobScheduler
{
    private int _trialsToLose;
    private int _finalsToLose;

    public void LoseNext(int trials, int finals)
    {
        Volatile.Write(ref _trialsToLose, trials);
        Volatile.Write(ref _finalsToLose, finals);
    }

    private static bool Take(ref int count)
    {
        while (true)
        {
            int n = Volatile.Read(ref count);
            if (n <= 0) return false;
            if (Interlocked.CompareExchange(ref count, n - 1, n) == n) return true;
        }
    }

    public string EnqueueTrial(Guid trialId, string deviceClass) => Take(ref _trialsToLose) ? null! : inner.EnqueueTrial(trialId, deviceClass);
    public string EnqueueFinalTraining(Guid searchId, string deviceClass) =>
        Take(ref _finalsToLose) ? null! : inner.EnqueueFinalTraining(searchId, deviceClass);

    public string EnqueueIngestion(Guid datasetId) => inner.EnqueueIngestion(datasetId);
    public string EnqueueSearchStart(Guid searchId) => inner.EnqueueSearchStart(searchId);
    public string EnqueueSearchAdvance(Guid searchId) => inner.EnqueueSearchAdvance(searchId);
    public string EnqueueBaselines(Guid searchId, string deviceClass) => inner.EnqueueBaselines(searchId, deviceClass);
    public string EnqueueOneShot(Guid searchId, string deviceClass) => inner.EnqueueOneShot(searchId, deviceClass);
    public void Delete(string jobId) => inner.Delete(jobId);
    public bool IsLive(string jobId) => inner.IsLive(jobId);
}
