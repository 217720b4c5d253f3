using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NasPlatform.Data;
using NasPlatform.Data.Entities;

namespace NasPlatform.Platform.Searches;

/// <summary>How a job on any worker notices that its search was cancelled (or failed) by another process.</summary>
public static class SearchCancellation
{
    /// <summary>
    /// Polls the search's status every second and cancels <paramref name="stop"/> once it is over, so the job stops within about a
    /// second. With <paramref name="superseded"/> it also stops once that says another job owns the work: a cancel and resume
    /// inside one poll leaves the status running, but the resume queued a new job for it.
    /// </summary>
    public static IDisposable Watch(IDbContextFactory<NasDbContext> dbf, Guid searchId, CancellationTokenSource stop, ILogger log,
        Func<Task<bool>>? superseded = null) =>
        new Timer(_ =>
        {
            try
            {
                if (IsCancelledAsync(dbf, searchId).GetAwaiter().GetResult() || (superseded is not null && superseded().GetAwaiter().GetResult()))
                    stop.Cancel();
            }
            catch (ObjectDisposedException) { }
            catch (Exception e) { log.LogDebug(e, "Cancellation check failed"); }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    /// <summary>A check that the search's phase job is recorded and is another than <paramref name="jobId"/> (never, without an id).</summary>
    public static Func<Task<bool>>? PhaseJobOtherThan(IDbContextFactory<NasDbContext> dbf, Guid searchId, string? jobId) => jobId is null ? null : async () =>
    {
        await using var db = await dbf.CreateDbContextAsync();
        var current = await db.Searches.Where(s => s.Id == searchId).Select(s => s.PhaseJobId).FirstOrDefaultAsync();
        return current is not null && current != jobId;
    };

    /// <summary>A check that the trial's job is recorded and is another than <paramref name="jobId"/> (never, without an id).</summary>
    public static Func<Task<bool>>? TrialJobOtherThan(IDbContextFactory<NasDbContext> dbf, Guid trialId, string? jobId) => jobId is null ? null : async () =>
    {
        await using var db = await dbf.CreateDbContextAsync();
        var current = await db.Trials.Where(t => t.Id == trialId).Select(t => t.JobId).FirstOrDefaultAsync();
        return current is not null && current != jobId;
    };

    public static async Task<bool> IsCancelledAsync(IDbContextFactory<NasDbContext> dbf, Guid searchId)
    {
        await using var db = await dbf.CreateDbContextAsync();
        var status = await db.Searches.Where(s => s.Id == searchId).Select(s => (SearchStatus?)s.Status).FirstOrDefaultAsync();
        return status is null or SearchStatus.Cancelled or SearchStatus.Failed;
    }
}
