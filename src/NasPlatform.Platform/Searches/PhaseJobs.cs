using Microsoft.EntityFrameworkCore;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Jobs;

namespace NasPlatform.Platform.Searches;

/// <summary>Queues a search's one long step (the final training, or a one-shot run) and records its job on the search.</summary>
public static class PhaseJobs
{
    /// <summary>
    /// The job id is stored after the job exists: a process that dies in between leaves the search
    /// with no live phase job, which the watchdog sees and repairs.
    /// </summary>
    public static async Task<string> EnqueueAsync(IJobScheduler jobs, IDbContextFactory<NasDbContext> dbf, Search search, bool withBaselines,
        CancellationToken ct)
    {
        var id = Enqueue(jobs, search);
        // Behind the final training on the same queue, so the searched model comes first.
        if (withBaselines && search.Phase == SearchPhases.Final && search.Baselines) jobs.EnqueueBaselines(search.Id, search.TargetDevice);
        await using var db = await dbf.CreateDbContextAsync(ct);
        await db.Searches.Where(s => s.Id == search.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.PhaseJobId, id), ct);
        return id;
    }

    /// <summary>The job alone, for a caller that records it under its own condition.</summary>
    public static string Enqueue(IJobScheduler jobs, Search search) => search.Phase == SearchPhases.OneShot
        ? jobs.EnqueueOneShot(search.Id, search.TargetDevice)
        : jobs.EnqueueFinalTraining(search.Id, search.TargetDevice);
}
