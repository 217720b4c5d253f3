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
        var trials = await db.Trials.Where(t => t.SearchId == searchId).OrderBy(t => t.Number).ToListAsync(ct);

        var plan = setup.For(search);
        using var strategy = plan.Components.CreateStrategy(search.Seed);
        if (search.StrategyState is not null) strategy.LoadState(search.StrategyState);
        var evaluator = new TrialEvaluator(plan.Components, estimator: null, search.Seed);

        var multiFidelity = strategy as IMultiFidelityStrategy;
        foreach (var done in trials.Where(t => t.Status is TrialStatus.Succeeded or TrialStatus.Failed && !t.Reported))
        {
            double? reward = done.Status == TrialStatus.Succeeded ? done.Reward : null;
            if (multiFidelity is not null) multiFidelity.Report(TrialRows.Choices(done), done.Rung ?? 0, reward ?? 0);
            else TrialEvaluator.Report(strategy, TrialRows.Choices(done), reward);
            done.Reported = true;
        }
        var finished = trials.Where(t => t.Status is TrialStatus.Succeeded or TrialStatus.Failed).OrderBy(t => t.FinishedAt).ThenBy(t => t.Number)
            .Select(t => new FailurePolicy.Finished(t.Status == TrialStatus.Failed, t.Skipped, t.FromCache, t.Error));
        if (FailurePolicy.StopReason(finished) is { } stop)
        {
            await FailAsync(searchId, stop);
            return true;
        }
        static string Key(string hash, int? rung) => TrialFidelity.Key(hash, rung);
        var succeeded = trials.Where(t => t.Status == TrialStatus.Succeeded).GroupBy(t => Key(t.ArchitectureHash, t.Rung)).ToDictionary(g => g.Key, g => g.First());

        var now = time.GetUtcNow();
        bool overTime = search.MaxMinutes is { } minutes && search.StartedAt is { } started && (now - started).TotalMinutes >= minutes;
        int active = trials.Count(t => !t.IsFinished);
        var queued = new List<Trial>();
        var cached = new List<Trial>();
        while (!overTime && trials.Count < search.MaxTrials && active < search.Parallelism)
        {
            var proposal = evaluator.Propose(strategy, hash => succeeded.TryGetValue(Key(hash, multiFidelity?.LastRung), out var t) ? TrialRows.Outcome(t) : null);
            var candidate = proposal.Candidate;
            var fidelity = multiFidelity is null ? null
                : TrialFidelity.ForRung(multiFidelity.LastRung, multiFidelity.RungBudget(multiFidelity.LastRung), search.ProxyEpochs);
            var trial = new Trial
            {
                Id = Guid.NewGuid(), SearchId = searchId, Number = trials.Count + 1,
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
            else
            {
                active++;
                queued.Add(trial);
            }
            trials.Add(trial);
            db.Trials.Add(trial);
        }

        search.TrialsCompleted = trials.Count(t => t.Status is TrialStatus.Succeeded or TrialStatus.Failed);
        search.BestTrialId = Best(search, trials)?.Id;
        search.StrategyState = strategy.SaveState();
        bool final = false;
        if (active == 0 && (trials.Count >= search.MaxTrials || overTime))
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
                search.Error = "No trial succeeded. " + (trials.FirstOrDefault(t => t.Error is not null)?.Error ?? "The time budget ended before any trial finished.");
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
        foreach (var trial in queued.Concat(cached)) await progress.TrialChanged(ToUpdate(trial));
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
