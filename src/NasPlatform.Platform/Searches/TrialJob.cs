using System.Text.Json;
using Hangfire;
using Hangfire.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Latency;
using NasPlatform.Platform.Progress;
using NasPlatform.Platform.Workers;

namespace NasPlatform.Platform.Searches;

/// <summary>
/// One trial on one worker: proxy-train the architecture on the search's training split, score it on
/// the validation split, measure its latency on this worker's device, store the result, and let the
/// coordinator propose what comes next. Stops at the next batch when the search is cancelled.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed class TrialJob(IDbContextFactory<NasDbContext> dbf, DatasetCache cache, SearchCoordinator coordinator, SearchSetup setup,
    IEstimatorFactory estimators, LatencyTables latencyTables, Devices.LatencyDevices latencyDevices, IProgressSink progress, WorkerIdentity worker, TimeProvider time, ILogger<TrialJob> log)
{
    /// <param name="context">Supplied by Hangfire: the job's id decides who may work on the trial.</param>
    public async Task RunAsync(Guid trialId, PerformContext? context, CancellationToken ct)
    {
        Trial trial;
        Search search;
        var jobId = context?.BackgroundJob.Id;
        await using (var db = await dbf.CreateDbContextAsync(ct))
        {
            // Claimed atomically: a queued trial, or a running one whose own job Hangfire runs again because
            // the worker that had it died. Any other execution (a duplicate job) leaves it alone, so a
            // trial's result is recorded exactly once.
            var now = time.GetUtcNow();
            int claimed = await db.Trials
                .Where(t => t.Id == trialId && t.Search!.Status == SearchStatus.Running
                            && (t.Status == TrialStatus.Queued || (t.Status == TrialStatus.Running && jobId != null && t.JobId == jobId)))
                .ExecuteUpdateAsync(u => u
                    .SetProperty(t => t.Status, TrialStatus.Running)
                    .SetProperty(t => t.Worker, worker.Id)
                    .SetProperty(t => t.StartedAt, now)
                    .SetProperty(t => t.Attempts, t => t.Attempts + 1)
                    .SetProperty(t => t.HistoryJson, "[]")
                    .SetProperty(t => t.JobId, t => jobId ?? t.JobId), ct);
            if (claimed == 0)
            {
                // Already finished: its worker may have died between storing the result and the next step, so take that step.
                var done = await db.Trials.AsNoTracking().Where(t => t.Id == trialId).Select(t => new { t.SearchId, t.Status }).FirstOrDefaultAsync(ct);
                if (done is { Status: TrialStatus.Succeeded or TrialStatus.Failed }) await coordinator.AdvanceAsync(done.SearchId, ct);
                return;
            }
            trial = await db.Trials.AsNoTracking().Include(t => t.Search).ThenInclude(s => s!.Dataset).FirstAsync(t => t.Id == trialId, ct);
            search = trial.Search!;
            if (trial.Attempts > 1) log.LogWarning("Trial {Number} of search {Search} restarted (attempt {Attempt})", trial.Number, search.Id, trial.Attempts);
        }
        await progress.TrialChanged(SearchCoordinator.ToUpdate(trial));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // A resume gives the trial a new job: this one then stops instead of training for a result it may not store.
        using var watcher = SearchCancellation.Watch(dbf, search.Id, stop, log, SearchCancellation.TrialJobOtherThan(dbf, trialId, jobId));
        try
        {
            var (result, predicted) = await Task.Run(() => Evaluate(search, trial, stop.Token), stop.Token);
            await using var db = await dbf.CreateDbContextAsync(CancellationToken.None);
            var row = await db.Trials.FirstAsync(t => t.Id == trialId, CancellationToken.None);
            if (row.Status != TrialStatus.Running || row.JobId != trial.JobId) return; // cancelled while finishing
            row.Status = TrialStatus.Succeeded;
            TrialRows.Store(row, result);
            row.PredictedLatencyMs = predicted;
            row.FinishedAt = time.GetUtcNow();
            await db.SaveChangesAsync(CancellationToken.None);
            await progress.TrialChanged(SearchCoordinator.ToUpdate(row));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            log.LogInformation("Trial {Number} of search {Search} stopped", trial.Number, search.Id);
            if (ct.IsCancellationRequested && !await SearchCancellation.IsCancelledAsync(dbf, search.Id)) throw; // worker shutting down: let the job be retried later
            return;
        }
        catch (Exception e)
        {
            if (e is not TrialSkippedException) log.LogWarning(e, "Trial {Number} of search {Search} failed", trial.Number, search.Id);
            await using var db = await dbf.CreateDbContextAsync(CancellationToken.None);
            var row = await db.Trials.FirstAsync(t => t.Id == trialId, CancellationToken.None);
            if (row.Status != TrialStatus.Running) return;
            row.Status = TrialStatus.Failed;
            row.Error = e.Message;
            if (e is TrialSkippedException skipped) (row.Skipped, row.PredictedLatencyMs) = (true, skipped.PredictedMs);
            row.FinishedAt = time.GetUtcNow();
            await db.SaveChangesAsync(CancellationToken.None);
            await progress.TrialChanged(SearchCoordinator.ToUpdate(row));
        }
        await coordinator.AdvanceAsync(search.Id, CancellationToken.None);
    }

    /// <summary>The trial through the one pipeline: its latency predicted first (under a hard budget one well over it is not
    /// trained), then the search's estimator, objective and seed rule.</summary>
    private (TrialOutcome Outcome, double Predicted) Evaluate(Search search, Trial trial, CancellationToken ct)
    {
        var plan = setup.For(search);
        TorchRuntime.Configure(plan.Options.Threads);
        var device = TorchRuntime.ResolveDevice(plan.Options.Device);
        var (train, validation) = cache.Split(search.Dataset!.DataBlob ?? throw new InvalidOperationException("The dataset has no decoded data."),
            plan.Options.ValidationFraction, plan.Options.Seed);
        var estimator = estimators.Create(new EstimatorContext(train, validation, plan.Options, new Trainer(device), latencyDevices.Meter(search, device, plan.Options.Latency)));
        var evaluator = new TrialEvaluator(plan.Components, estimator, plan.Options.Seed);
        var candidate = plan.Components.Parse(trial.ArchitectureJson);
        double predicted = Predict(search, plan.Options, device, candidate, ct);
        var history = new List<EpochReport>();
        var stopping = plan.Options.EarlyStopping == SearchOptions.MedianEarlyStopping ? CompletedCurves(search.Id, trial.Id) : null;
        // A multi-fidelity trial trains for its rung's epochs on its share of the proxy subset.
        var fidelity = trial.Rung is { } rung ? new TrialFidelity(rung, trial.ProxyEpochs, Math.Min(1, trial.ProxyFraction / search.ProxyFraction)) : null;
        var outcome = evaluator.Evaluate(candidate, r =>
        {
            history.Add(r);
            SaveEpoch(trial, history, r);
            if (stopping?.ShouldStop(history) == true) throw new StopTrainingEarly();
        }, ct, fidelity);
        return (outcome, predicted);
    }

    /// <summary>The device class's table (new layers measured here and stored for every worker of the class), calibrated on the search's trials.</summary>
    private double Predict(Search search, SearchOptions options, TorchSharp.torch.Device device, Candidate candidate, CancellationToken ct)
    {
        string tableKey = LatencyTables.Key(search.TargetDevice, options.Latency.BatchSize);
        var predictor = latencyTables.Predictor(tableKey, search.Id);
        var gate = new LatencyGate(predictor, new LatencyMeter(device, LatencyTable.MeterOptions(options.Latency)),
            new Engine.Objectives.LatencyTarget(options.LatencyBudgetMs, options.Constraint));
        int before = predictor.Table.Count;
        double predicted = gate.Predict(candidate, ct);
        if (predictor.Table.Count > before) latencyTables.Save(tableKey, predictor.Table);
        using var db = dbf.CreateDbContext();
        var trained = db.Trials.AsNoTracking().Where(t => t.SearchId == search.Id && t.Status == TrialStatus.Succeeded && !t.FromCache);
        // Predictions made once the predictor was calibrated (as the CLI's loop counts them), the most recent
        // ones only: a trial's set-up cost must not grow with the search.
        var measured = trained.OrderBy(t => t.Number).Skip(LatencyGate.Calibrated)
            .OrderByDescending(t => t.Number).Take(RecentTrials).Select(t => new { t.PredictedLatencyMs, t.LatencyMs }).ToList();
        foreach (var m in measured.AsEnumerable().Reverse())
            if (m is { PredictedLatencyMs: { } p, LatencyMs: { } l }) gate.Outcome(p, l);
        bool anyTrained = trained.Any();
        return gate.SkipReason(predicted, anyTrained) is { } reason ? throw new TrialSkippedException(reason, predicted) : predicted;
    }

    /// <summary>How many of the search's latest trained trials a trial's set-up reads (predictor outcomes, curves for the median rule).</summary>
    internal const int RecentTrials = 500;

    /// <summary>The median rule over the search's latest finished trials, as they stand when this one starts (the CLI's loop adds each as it ends: same rule).</summary>
    private MedianStopping CompletedCurves(Guid searchId, Guid trialId)
    {
        using var db = dbf.CreateDbContext();
        var stopping = new MedianStopping();
        foreach (var json in db.Trials.AsNoTracking().Where(t => t.SearchId == searchId && t.Id != trialId && t.Status == TrialStatus.Succeeded && !t.FromCache)
                     .OrderByDescending(t => t.Number).Take(RecentTrials).Select(t => t.HistoryJson).ToList().AsEnumerable().Reverse())
            stopping.Completed(JsonSerializer.Deserialize<List<EpochReport>>(json, TrialRows.Json) ?? []);
        return stopping;
    }

    /// <summary>Each epoch is stored before it is announced, so a page opened later shows the same curve.</summary>
    private void SaveEpoch(Trial trial, List<EpochReport> history, EpochReport r)
    {
        var json = JsonSerializer.Serialize(history, TrialRows.Json);
        using (var db = dbf.CreateDbContext())
            db.Trials.Where(t => t.Id == trial.Id).ExecuteUpdate(u => u.SetProperty(t => t.HistoryJson, json));
        progress.EpochFinished(EpochUpdate.Of(trial.SearchId, trial.Id, trial.Number, r)).GetAwaiter().GetResult();
    }
}

/// <summary>The trial's predicted latency is well over its search's hard budget: it is not trained.</summary>
public sealed class TrialSkippedException(string message, double predictedMs) : Exception(message)
{
    public double PredictedMs { get; } = predictedMs;
}
