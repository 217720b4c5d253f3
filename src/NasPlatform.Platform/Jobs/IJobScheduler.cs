namespace NasPlatform.Platform.Jobs;

/// <summary>Puts work on the queues; the web host only ever enqueues, workers execute.</summary>
public interface IJobScheduler
{
    string EnqueueIngestion(Guid datasetId);
    string EnqueueSearchStart(Guid searchId);

    /// <summary>The coordinator's next step (propose, or queue the final training), run on any worker.</summary>
    string EnqueueSearchAdvance(Guid searchId);

    /// <summary>A trial goes to the queue of its target device class.</summary>
    string EnqueueTrial(Guid trialId, string deviceClass);
    string EnqueueFinalTraining(Guid searchId, string deviceClass);

    /// <summary>The search's baseline zoo, trained one member after the other on the queue of its device class.</summary>
    string EnqueueBaselines(Guid searchId, string deviceClass);

    /// <summary>A one-shot search's one long job, on the queue of its target device class.</summary>
    string EnqueueOneShot(Guid searchId, string deviceClass);

    /// <summary>Removes a queued job; a running one sees its cancellation token fire.</summary>
    void Delete(string jobId);

    /// <summary>Whether the job still exists and will run or is running (enqueued, scheduled, awaiting or processing).</summary>
    bool IsLive(string jobId);
}
