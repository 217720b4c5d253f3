using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Strategies.MultiFidelity;
using NasPlatform.Platform.Jobs;
using NasPlatform.Platform.Progress;

namespace NasPlatform.Platform.Searches;

/// <summary>
/// Drives a search between trials: reports finished results to the strategy, asks it for the next
/// architectures while the budget and the parallelism allow, queues them as trial jobs, and queues
/// the final training once every trial is in. The strategy's state is saved with every step, and
/// steps triggered together are serialised by the search row's version (optimistic concurrency),
/// so any number of workers can finish trials at once.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed class SearchCoordinator(IDbContextFactory<NasDbContext> dbf, IJobScheduler jobs, IProgressSink progress, SearchSetup setup,
    TimeProvider time, ILogger<SearchCoordinator> log)
{
    public async Task StartAsync(Guid searchId, CancellationToken ct)
    {
        await using (var db = await dbf.CreateDbContextAsync(ct))
        {
            var search = await db.Searches.FirstOrDefaultAsync(s => s.Id == searchId, ct);
            if (search is null || search.Status != SearchStatus.Queued) return;
            search.Status = SearchStatus.Running;
            search.StartedAt = time.GetUtcNow();
            bool oneShot = search.Kind == SearchKinds.OneShot;
            if (oneShot) search.Phase = SearchPhases.OneShot;
            search.Version++;
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateConcurrencyException) { return; } // cancelled meanwhile
            await progress.SearchChanged(ToUpdate(search));
            if (oneShot)
            {
                // Not trials: one long job on the target device does the whole search.
                await PhaseJobs.EnqueueAsync(jobs, dbf, search, withBaselines: false, ct);
                return;
            }
        }
        await AdvanceAsync(searchId, ct);
    }

    public async Task AdvanceAsync(Guid searchId, CancellationToken ct)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                if (await TryAdvanceAsync(searchId, ct)) return;
            }
            catch (Exception e) when (e is not OperationCanceledException and not DbUpdateConcurrencyException)
            {
                log.LogError(e, "Search {Id} could not advance", searchId);
                await FailAsync(searchId, $"The search could not continue: {e.Message}");
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(20 + Random.Shared.Next(80)), ct);
        }
        throw new InvalidOperationException($"Search {searchId}: too many concurrent updates.");
    }

    /// <returns>False when another step changed the search meanwhile (then try again).</returns>
    private async Task<bool> TryAdvanceAsync(Guid searchId, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var search = await db.Searches.Include(s => s.Dataset).FirstOrDefaultAsync(s => s.Id == searchId, ct);
        if (search is null || search.Status != SearchStatus.Running || search.Phase != SearchPhases.Trials) return true;
        // A step reads what changed since the last one (the finished trials not yet reported) and a few
        // counts and indexed look-ups, never every trial: its cost does not grow with the search.
        var resolved = await ResolveDuplicatesAsync(db, searchId, ct);
        var fresh = await db.Trials.Where(t => t.SearchId == searchId && !t.Reported && (t.Status == TrialStatus.Succeeded || t.Status == TrialStatus.Failed))
            .OrderBy(t => t.Number).ToListAsync(ct);
        fresh = [.. fresh.Concat(resolved).OrderBy(t => t.Number)];

        var plan = setup.For(search);
        using var strategy = plan.Components.CreateStrategy(search.Seed);
        if (search.StrategyState is not null) strategy.LoadState(search.StrategyState);
        var evaluator = new TrialEvaluator(plan.Components, estimator: null, search.Seed);

        var multiFidelity = strategy as IMultiFidelityStrategy;
        foreach (var done in fresh)
        {
            double? reward = done.Status == TrialStatus.Succeeded ? done.Reward : null;
            if (multiFidelity is not null) multiFidelity.Report(TrialRows.Choices(done), done.Rung ?? 0, reward ?? 0);
            else TrialEvaluator.Report(strategy, TrialRows.Choices(done), reward);
            done.Reported = true;
        }
        if (FailurePolicy.StopReason(await LastTrainedAsync(db, searchId, ct)) is { } stop)
        {
            await FailAsync(searchId, stop);
            return true;
        }

        var mine = db.Trials.Where(t => t.SearchId == searchId);
        int count = await mine.CountAsync(ct);
        int active = await mine.CountAsync(t => t.Status == TrialStatus.Queued || t.Status == TrialStatus.Running, ct);
        var now = time.GetUtcNow();
        bool overTime = search.MaxMinutes is { } minutes && search.StartedAt is { } started && (now - started).TotalMinutes >= minutes;
        var queued = new List<Trial>();
        var cached = new List<Trial>();
        while (!overTime && count < search.MaxTrials && active < search.Parallelism)
        {
            var proposal = evaluator.Propose(strategy, hash => Known(db, searchId, hash, multiFidelity?.LastRung, queued.Concat(cached)));
            var candidate = proposal.Candidate;
            var fidelity = multiFidelity is null ? null
                : TrialFidelity.ForRung(multiFidelity.LastRung, multiFidelity.RungBudget(multiFidelity.LastRung), search.ProxyEpochs);
            var trial = new Trial
            {
                Id = Guid.NewGuid(), SearchId = searchId, Number = count + 1,
                ArchitectureJson = candidate.Architecture.ToJson(), ArchitectureHash = candidate.Hash, ChoicesJson = JsonSerializer.Serialize(proposal.Choices),
                ProxyEpochs = fidelity?.Epochs ?? search.ProxyEpochs, ProxyFraction = search.ProxyFraction * (fidelity?.Fraction ?? 1),
                Rung = fidelity?.Rung, Status = TrialStatus.Queued, CreatedAt = now,
            };
            if (proposal.Known is { } known)
            {
                trial.Status = TrialStatus.Succeeded;
                trial.FromCache = true;
                TrialRows.Store(trial, known with { Seconds = 0 });
                trial.StartedAt = trial.FinishedAt = now;
                trial.Reported = true;
                cached.Add(trial);
            }
            else if (InFlight(db, searchId, trial, queued) is { } twin)
            {
                trial.DuplicateOf = twin;
                active++;
            }
            else
            {
                active++;
                queued.Add(trial);
            }
            count++;
            db.Trials.Add(trial);
        }

        search.TrialsCompleted = await mine.CountAsync(t => t.Status == TrialStatus.Succeeded || t.Status == TrialStatus.Failed, ct) + cached.Count + resolved.Count;
        search.BestTrialId = await BestIdAsync(db, search, cached, ct);
        search.StrategyState = strategy.SaveState();
        bool final = false;
        if (active == 0 && (count >= search.MaxTrials || overTime))
        {
            if (search.BestTrialId is not null)
            {
                search.Phase = SearchPhases.Final;
                final = true;
            }
            else
            {
                search.Status = SearchStatus.Failed;
                search.Phase = SearchPhases.Done;
                search.FinishedAt = now;
                search.Error = "No trial succeeded. " + (await mine.Where(t => t.Error != null).OrderBy(t => t.Number).Select(t => t.Error).FirstOrDefaultAsync(ct)
                                                         ?? "The time budget ended before any trial finished.");
            }
        }
        search.Version++;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }

        foreach (var trial in queued)
        {
            trial.JobId = jobs.EnqueueTrial(trial.Id, search.TargetDevice);
            await db.Trials.Where(t => t.Id == trial.Id).ExecuteUpdateAsync(u => u.SetProperty(t => t.JobId, trial.JobId), ct);
        }
        if (final) await PhaseJobs.EnqueueAsync(jobs, dbf, search, withBaselines: true, ct);
        foreach (var trial in queued.Concat(cached).Concat(resolved)) await progress.TrialChanged(ToUpdate(trial));
        await progress.SearchChanged(ToUpdate(search));
        return true;
    }

    public async Task FailAsync(Guid searchId, string error)
    {
        await using var db = await dbf.CreateDbContextAsync();
        var search = await db.Searches.Include(s => s.Trials).FirstOrDefaultAsync(s => s.Id == searchId);
        if (search is null || search.IsFinished) return;
        search.Status = SearchStatus.Failed;
        search.Phase = SearchPhases.Done;
        search.Error = error;
        search.FinishedAt = time.GetUtcNow();
        search.Version++;
        foreach (var t in search.Trials.Where(t => !t.IsFinished)) t.Status = TrialStatus.Cancelled;
        await db.SaveChangesAsync();
        await progress.SearchChanged(ToUpdate(search));
    }

    /// <summary>The last trained (not skipped, not cached) finished trials, oldest first: all the failure policy looks at.</summary>
    private static async Task<List<FailurePolicy.Finished>> LastTrainedAsync(NasDbContext db, Guid searchId, CancellationToken ct)
    {
        var last = await db.Trials.AsNoTracking()
            .Where(t => t.SearchId == searchId && (t.Status == TrialStatus.Succeeded || t.Status == TrialStatus.Failed) && !t.Skipped && !t.FromCache)
            .OrderByDescending(t => t.FinishedAt).ThenByDescending(t => t.Number).Take(FailurePolicy.MaxConsecutiveFailures)
            .Select(t => new { t.Status, t.Error }).ToListAsync(ct);
        return last.AsEnumerable().Reverse().Select(t => new FailurePolicy.Finished(t.Status == TrialStatus.Failed, false, false, t.Error)).ToList();
    }

    /// <summary>A trial of the same architecture (at the same rung) still queued or running: a new proposal of it waits for its result.</summary>
    private static Guid? InFlight(NasDbContext db, Guid searchId, Trial trial, IEnumerable<Trial> thisStep) =>
        thisStep.FirstOrDefault(t => t.ArchitectureHash == trial.ArchitectureHash && t.Rung == trial.Rung)?.Id
        ?? db.Trials.AsNoTracking().Where(t => t.SearchId == searchId && t.ArchitectureHash == trial.ArchitectureHash && t.Rung == trial.Rung
                                              && t.DuplicateOf == null && (t.Status == TrialStatus.Queued || t.Status == TrialStatus.Running))
            .Select(t => (Guid?)t.Id).FirstOrDefault();

    /// <summary>Duplicates whose twin has ended take its result (as a cache hit) or its failure; they are reported in this step.</summary>
    private async Task<List<Trial>> ResolveDuplicatesAsync(NasDbContext db, Guid searchId, CancellationToken ct)
    {
        var waiting = await db.Trials.Where(t => t.SearchId == searchId && t.DuplicateOf != null && t.Status == TrialStatus.Queued).ToListAsync(ct);
        var resolved = new List<Trial>();
        if (waiting.Count == 0) return resolved;
        var twinIds = waiting.Select(t => t.DuplicateOf!.Value).Distinct().ToList();
        var twins = await db.Trials.AsNoTracking().Where(t => twinIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
        var now = time.GetUtcNow();
        foreach (var trial in waiting)
        {
            if (!twins.TryGetValue(trial.DuplicateOf!.Value, out var twin) || !twin.IsFinished) continue;
            if (twin.Status == TrialStatus.Succeeded)
            {
                TrialRows.Store(trial, TrialRows.Outcome(twin) with { Seconds = 0 });
                trial.Status = TrialStatus.Succeeded;
                trial.FromCache = true;
            }
            else
            {
                trial.Status = TrialStatus.Failed;
                trial.FromCache = true; // not a training of its own: the failure policy does not count it twice
                trial.Error = $"The same architecture's trial {twin.Number} it waited for ended {twin.Status.ToString().ToLowerInvariant()}: {twin.Error}";
            }
            trial.StartedAt = trial.FinishedAt = now;
            resolved.Add(trial);
        }
        return resolved;
    }

    /// <summary>A succeeded trial of the same architecture (at the same rung), from this step or before: its result is reused.</summary>
    private static TrialOutcome? Known(NasDbContext db, Guid searchId, string hash, int? rung, IEnumerable<Trial> thisStep)
    {
        var trial = thisStep.FirstOrDefault(t => t.Status == TrialStatus.Succeeded && t.ArchitectureHash == hash && t.Rung == rung)
                    ?? db.Trials.AsNoTracking().Where(t => t.SearchId == searchId && t.ArchitectureHash == hash && t.Rung == rung && t.Status == TrialStatus.Succeeded)
                        .OrderBy(t => t.Number).FirstOrDefault();
        return trial is null ? null : TrialRows.Outcome(trial);
    }

    /// <summary><see cref="Best"/> as database queries (plus this step's cache hits, not yet saved).</summary>
    private static async Task<Guid?> BestIdAsync(NasDbContext db, Search search, IReadOnlyCollection<Trial> thisStep, CancellationToken ct)
    {
        var q = db.Trials.AsNoTracking().Where(t => t.SearchId == search.Id && t.Status == TrialStatus.Succeeded);
        int? top = await q.MaxAsync(t => t.Rung, ct);
        if (top is { } r) q = q.Where(t => (t.Rung ?? 0) == r);
        if (MnasReward.Parse(search.Constraint) == LatencyConstraint.Hard && await q.AnyAsync(t => t.LatencyMs <= search.LatencyBudgetMs, ct))
            q = q.Where(t => t.LatencyMs <= search.LatencyBudgetMs);
        // Only the head of each ordering is read: the best stored trial, then this step's hits compete with it.
        var stored = await q.OrderByDescending(t => t.Reward ?? 0).ThenBy(t => t.Number).FirstOrDefaultAsync(ct);
        var pool = thisStep.Where(t => t.Status == TrialStatus.Succeeded).ToList();
        if (stored is not null) pool.Add(stored);
        return Best(search, pool)?.Id;
    }

    /// <summary>The trial to train fully: the best by reward, among those within a hard budget when any is (the engine's rule).</summary>
    public static Trial? Best(Search search, IEnumerable<Trial> trials) =>
        LatencyBudget.Select(TrialFidelity.TopRung(trials.Where(t => t.Status == TrialStatus.Succeeded).ToList(), t => t.Rung),
            new LatencyTarget(search.LatencyBudgetMs, MnasReward.Parse(search.Constraint)), t => t.Reward ?? 0, t => t.Number, t => t.LatencyMs ?? double.MaxValue);

    /// <summary>The trial the final job trains: <see cref="Best"/>, after the finalists near a hard budget are measured again (the engine's rule).</summary>
    public static (Trial Best, IReadOnlyList<FinalistCheck> Checks) Finalist(Search search, IEnumerable<Trial> trials, SearchComponents components,
        LatencyMeter meter, CancellationToken ct)
    {
        var (best, checks) = Finalists.Choose(TrialFidelity.TopRung(trials.Where(t => t.Status == TrialStatus.Succeeded).ToList(), t => t.Rung),
            new LatencyTarget(search.LatencyBudgetMs, MnasReward.Parse(search.Constraint)), t => t.Reward ?? 0, t => t.Number,
            t => t.LatencyMs ?? double.MaxValue, t => components.Parse(t.ArchitectureJson), meter, ct);
        return (best ?? throw new InvalidOperationException("No trial succeeded."), checks);
    }

    public static SearchUpdate ToUpdate(Search s) =>
        new(s.Id, s.Status.ToString().ToLowerInvariant(), s.Phase, s.TrialsCompleted, s.MaxTrials, s.BestTrialId, s.ModelId, s.Error);

    public static TrialUpdate ToUpdate(Trial t) =>
        new(t.SearchId, t.Id, t.Number, t.Status.ToString().ToLowerInvariant(), t.ValidationMetric, t.LatencyMs, t.Reward,
            t.Parameters, t.Macs, t.Worker, t.FromCache, t.Error);
}
