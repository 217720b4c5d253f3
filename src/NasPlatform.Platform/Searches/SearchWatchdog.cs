using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Jobs;
using NasPlatform.Platform.Workers;

namespace NasPlatform.Platform.Searches;

/// <summary>
/// Finds searches that would otherwise wait forever and sets them going again. The database and the
/// job storage cannot be written in one transaction, so a process that dies between the two leaves
/// a search queued with no start job, a trial queued with no job, a finished trial whose next step
/// was never taken, or a final training (one-shot run) never queued; a job that dies outside its own
/// error handling leaves a trial running for ever. Every repair is idempotent (conditional updates;
/// a duplicate job finds its trial claimed and does nothing), so every worker may run the watchdog.
/// Each repair is logged and kept with its search (GET /api/v1/searches/{id}/repairs, the search page).
/// </summary>
public sealed class SearchWatchdog(IDbContextFactory<NasDbContext> dbf, IJobScheduler jobs, SearchCoordinator coordinator, WorkerPresence workers,
    IOptions<PlatformOptions> options, TimeProvider time, ILogger<SearchWatchdog> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.Worker.WatchdogSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try { await SweepAsync(stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "The search watchdog's sweep failed"); }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>One pass over the unfinished searches; reads only their open trials, not their history.</summary>
    /// <returns>The repairs made, as stored.</returns>
    public async Task<IReadOnlyList<SearchRepair>> SweepAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var stuck = now - TimeSpan.FromSeconds(options.Value.Worker.StuckAfterSeconds);
        var repairs = new List<SearchRepair>();
        List<Search> open;
        await using (var db = await dbf.CreateDbContextAsync(ct))
            open = await db.Searches.AsNoTracking().Where(s => s.Status == SearchStatus.Queued || s.Status == SearchStatus.Running).ToListAsync(ct);
        HashSet<string>? online = null;
        foreach (var search in open)
        {
            void Repaired(string message) => repairs.Add(new SearchRepair { Id = Guid.NewGuid(), SearchId = search.Id, At = now, Message = message });
            if (search.WaitForWorkerMinutes is { } wait)
            {
                online ??= await workers.OnlineClassesAsync(ct);
                if (!online.Contains(search.TargetDevice) && await GaveUpWaitingAsync(search, wait, now, ct)) continue;
            }
            if (search.Status == SearchStatus.Queued)
            {
                // The start step is short and idempotent (it only moves a queued search on).
                if (search.CreatedAt >= stuck) continue;
                jobs.EnqueueSearchStart(search.Id);
                Repaired("The search was still queued with no step starting it; queued its start again.");
            }
            else if (search.Phase == SearchPhases.Trials) await SweepTrialsAsync(search, stuck, Repaired, ct);
            else if (search.Phase is SearchPhases.Final or SearchPhases.OneShot) await SweepPhaseJobAsync(search, stuck, Repaired, ct);
        }
        if (repairs.Count == 0) return repairs;
        await using (var db = await dbf.CreateDbContextAsync(CancellationToken.None))
        {
            db.Repairs.AddRange(repairs);
            await db.SaveChangesAsync(CancellationToken.None);
        }
        foreach (var r in repairs) log.LogWarning("Watchdog repaired search {Search}: {Repair}", r.SearchId, r.Message);
        return repairs;
    }

    private async Task SweepTrialsAsync(Search search, DateTimeOffset stuck, Action<string> repaired, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        // Times are compared here, not in SQL: SQLite cannot compare DateTimeOffset columns.
        var active = await db.Trials.AsNoTracking()
            .Where(t => t.SearchId == search.Id && (t.Status == TrialStatus.Queued || t.Status == TrialStatus.Running))
            .Select(t => new { t.Id, t.Number, t.Status, t.JobId, t.CreatedAt, t.StartedAt, t.DuplicateOf }).ToListAsync(ct);
        bool advance = false;
        foreach (var t in active)
        {
            // A duplicate has no job by design: it waits for its twin, and the twin's end advances the search.
            if (t.Status == TrialStatus.Queued && t.DuplicateOf is null && t.CreatedAt < stuck && !Live(t.JobId))
            {
                var job = jobs.EnqueueTrial(t.Id, search.TargetDevice);
                int changed = await db.Trials.Where(x => x.Id == t.Id && x.Status == TrialStatus.Queued && x.JobId == t.JobId)
                    .ExecuteUpdateAsync(u => u.SetProperty(x => x.JobId, job), ct);
                if (changed == 0) jobs.Delete(job); // claimed or repaired meanwhile
                else repaired($"Trial {t.Number} was queued with no job to run it ({Lost(t.JobId)}); queued it again.");
            }
            else if (t.Status == TrialStatus.Running && t.StartedAt < stuck && t.JobId is { } job && !jobs.IsLive(job))
            {
                const string error = "Its job ended without recording a result (the worker failed outside the trial); the search went on without it.";
                int changed = await db.Trials.Where(x => x.Id == t.Id && x.Status == TrialStatus.Running && x.JobId == job)
                    .ExecuteUpdateAsync(u => u.SetProperty(x => x.Status, TrialStatus.Failed).SetProperty(x => x.Error, error)
                        .SetProperty(x => x.FinishedAt, time.GetUtcNow()), ct);
                if (changed == 0) continue;
                repaired($"Trial {t.Number} was running, but its job had ended without a result; marked it failed.");
                advance = true;
            }
        }
        if (!advance && active.Count == 0)
        {
            // Nothing queued or running: the step after the last trial was never taken.
            var last = await LastTrialFinishedAsync(db, search.Id, ct) ?? search.StartedAt;
            if (last is { } at && at >= stuck) return;
            advance = true;
            repaired("The search had no trial queued or running and had not taken its next step; took it.");
        }
        if (advance) await coordinator.AdvanceAsync(search.Id, ct);
    }

    private async Task SweepPhaseJobAsync(Search search, DateTimeOffset stuck, Action<string> repaired, CancellationToken ct)
    {
        if (search.PhaseJobId is { } job ? jobs.IsLive(job) : !await PhaseStartedBeforeAsync(search, stuck, ct)) return;
        var what = search.Phase == SearchPhases.Final ? "final training" : "one-shot run";
        var id = PhaseJobs.Enqueue(jobs, search);
        await using var db = await dbf.CreateDbContextAsync(ct);
        // Finished, moved on or repaired by another watchdog meanwhile: the new job would find nothing to do.
        int changed = await db.Searches.Where(s => s.Id == search.Id && s.Status == SearchStatus.Running && s.Phase == search.Phase
                                                   && s.PhaseJobId == search.PhaseJobId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.PhaseJobId, id), ct);
        if (changed == 0)
        {
            jobs.Delete(id);
            return;
        }
        repaired($"The search's {what} had no job to run it ({Lost(search.PhaseJobId)}); queued it again.");
    }

    /// <summary>When no job was recorded: the phase began when the last trial ended (final) or the search started (one-shot).</summary>
    private async Task<bool> PhaseStartedBeforeAsync(Search search, DateTimeOffset stuck, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var since = search.Phase == SearchPhases.Final
            ? await LastTrialFinishedAsync(db, search.Id, ct)
            : null;
        return (since ?? search.StartedAt) is { } at && at < stuck;
    }

    /// <summary>Fails a search that has waited longer than it may for a worker of its class (counted from the later of its creation and the last worker seen).</summary>
    private async Task<bool> GaveUpWaitingAsync(Search search, double minutes, DateTimeOffset now, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var seen = await db.Workers.AsNoTracking().Where(w => w.DeviceClass == search.TargetDevice).Select(w => w.LastSeen).ToListAsync(ct);
        var since = seen.Count > 0 && seen.Max() > search.CreatedAt ? seen.Max() : search.CreatedAt;
        if (now - since < TimeSpan.FromMinutes(minutes)) return false;
        await coordinator.FailAsync(search.Id,
            $"No worker of device class '{search.TargetDevice}' came online within {minutes:0.##} minutes; the search stopped waiting. Resume it once one runs.");
        log.LogWarning("Search {Search} gave up waiting for a worker of class {Class}", search.Id, search.TargetDevice);
        return true;
    }

    private static Task<DateTimeOffset?> LastTrialFinishedAsync(NasDbContext db, Guid searchId, CancellationToken ct) =>
        db.Trials.AsNoTracking().Where(t => t.SearchId == searchId).OrderByDescending(t => t.Number).Select(t => t.FinishedAt).FirstOrDefaultAsync(ct);

    private bool Live(string? jobId) => jobId is not null && jobs.IsLive(jobId);

    private static string Lost(string? jobId) => jobId is null ? "none was recorded" : $"job {jobId} was gone";
}
