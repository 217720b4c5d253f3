using System.Text.Json;
using Hangfire;
using Hangfire.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.OneShot;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Jobs;
using NasPlatform.Platform.Latency;
using NasPlatform.Platform.Progress;
using NasPlatform.Platform.Storage;
using NasPlatform.Platform.Workers;

namespace NasPlatform.Platform.Searches;

/// <summary>
/// A one-shot search (DARTS, Auto-DeepLab) as one long job on the target device: the method steps,
/// its run is checkpointed to the blob store after every step (a job re-run after a worker died, or a
/// resumed search, continues from there), progress is stored on the search and pushed live, a cancel
/// stops it between batches, and the derived architecture becomes trial 1, measured and scored like
/// any trial, before the final training.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed class OneShotSearchJob(IDbContextFactory<NasDbContext> dbf, DatasetCache cache, IBlobStore blobs, SearchSetup setup,
    SearchCoordinator coordinator, IJobScheduler jobs, IProgressSink progress, WorkerIdentity worker, LatencyTables latencyTables,
    Devices.LatencyDevices latencyDevices, TimeProvider time,
    ILogger<OneShotSearchJob> log)
{
    public static string CheckpointBlob(Guid searchId) => $"searches/{searchId}/one-shot.ckpt";

    /// <summary>Jobs queued before the job id was passed in (an upgrade with jobs waiting).</summary>
    public Task RunAsync(Guid searchId, CancellationToken ct) => RunAsync(searchId, null, ct);

    /// <param name="context">Supplied by Hangfire: the job stops once the search's phase job is another one (a resume queued it).</param>
    public async Task RunAsync(Guid searchId, PerformContext? context, CancellationToken ct)
    {
        Search search;
        await using (var db = await dbf.CreateDbContextAsync(ct))
        {
            search = await db.Searches.AsNoTracking().Include(s => s.Dataset).FirstOrDefaultAsync(s => s.Id == searchId, ct)
                     ?? throw new InvalidOperationException($"Search {searchId} does not exist.");
            if (search.Status != SearchStatus.Running || search.Phase != SearchPhases.OneShot) return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var watcher = SearchCancellation.Watch(dbf, searchId, stop, log, SearchCancellation.PhaseJobOtherThan(dbf, searchId, context?.BackgroundJob.Id));
        try
        {
            var plan = setup.For(search);
            TorchRuntime.Configure(plan.Options.Threads);
            var device = TorchRuntime.ResolveDevice(plan.Options.Device);
            var (train, validation) = cache.Split(search.Dataset!.DataBlob ?? throw new InvalidOperationException("The dataset has no decoded data."),
                plan.Options.ValidationFraction, plan.Options.Seed);
            string tableKey = LatencyTables.Key(search.TargetDevice, plan.Options.Latency.BatchSize);
            var table = latencyTables.Table(tableKey);
            var runContext = new OneShotContext(plan.Components.Space, plan.Components.Task, train, validation, plan.Options, new Trainer(device),
                new LatencyMeter(device, plan.Options.Latency), table);
            var key = CheckpointBlob(searchId);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var steps = new List<OneShotProgress>();
            IOneShotRun run;
            await using (var checkpoint = blobs.Exists(key) ? blobs.OpenRead(key) : null)
                run = plan.Components.OneShot!.Start(runContext, checkpoint);
            using (run)
            {
                while (!run.Finished)
                {
                    var step = await Task.Run(() => run.StepOnDevice(stop.Token), stop.Token);
                    steps.Add(step);
                    if (step.Epoch == 1) latencyTables.Save(tableKey, table); // the layers a latency term measured, for every worker of the class
                    await blobs.WriteFileAsync(key, path =>
                    {
                        using var file = File.Create(path);
                        run.SaveCheckpoint(file);
                        return Task.CompletedTask;
                    }, CancellationToken.None);
                    await RecordStepAsync(searchId, step);
                }
                var (candidate, outcome) = OneShotResult.Score(run, plan.Components, latencyDevices.Meter(search, device, plan.Options.Latency), plan.Options.Seed,
                    steps, clock.Elapsed.TotalSeconds, stop.Token);
                await FinishAsync(searchId, candidate.Architecture.ToJson(), candidate.Hash, outcome);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            log.LogInformation("One-shot search {Search} stopped", searchId);
            if (ct.IsCancellationRequested && !await SearchCancellation.IsCancelledAsync(dbf, searchId)) throw; // worker shutting down: run again later
        }
        catch (Exception e)
        {
            log.LogError(e, "One-shot search {Search} failed", searchId);
            await coordinator.FailAsync(searchId, $"The one-shot search failed: {e.Message}");
        }
    }

    /// <summary>The step is stored (after the earlier ones) before it is announced, so a page opened later shows the same progress.</summary>
    private async Task RecordStepAsync(Guid searchId, OneShotProgress step)
    {
        await using var db = await dbf.CreateDbContextAsync();
        var stored = await db.Searches.Where(s => s.Id == searchId).Select(s => s.StrategyState).FirstOrDefaultAsync();
        var json = OneShotSteps.Append(stored, step);
        await db.Searches.Where(s => s.Id == searchId && s.Status == SearchStatus.Running)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.StrategyState, json));
        await progress.EpochFinished(EpochUpdate.Of(searchId, null, 0, step.ToEpochReport()));
    }

    /// <summary>The derived architecture becomes trial 1 and the search moves to its final training (unless it was cancelled meanwhile).</summary>
    private async Task FinishAsync(Guid searchId, string architectureJson, string hash, Engine.Pipeline.TrialOutcome outcome)
    {
        await using var db = await dbf.CreateDbContextAsync();
        var search = await db.Searches.FirstAsync(s => s.Id == searchId);
        // Another execution of this job may have finished first (a cancel-and-resume, or a re-run): then nothing is left to do.
        if (search.Status != SearchStatus.Running || search.Phase != SearchPhases.OneShot) return;
        var now = time.GetUtcNow();
        var trial = new Trial
        {
            Id = Guid.NewGuid(), SearchId = searchId, Number = 1, ArchitectureJson = architectureJson, ArchitectureHash = hash, ChoicesJson = "[]",
            ProxyEpochs = search.ProxyEpochs, ProxyFraction = search.ProxyFraction, Status = TrialStatus.Succeeded, Reported = true,
            Worker = worker.Id, Attempts = 1, CreatedAt = now, StartedAt = search.StartedAt, FinishedAt = now,
        };
        TrialRows.Store(trial, outcome);
        db.Trials.Add(trial);
        search.BestTrialId = trial.Id;
        search.TrialsCompleted = 1;
        search.Phase = SearchPhases.Final;
        search.Version++;
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException)
        {
            return; // cancelled, or finished by another execution, in the last moment (version check or the trial-number index)
        }
        // The derived architecture is stored: a resume now only needs the final training, not the run.
        blobs.DeletePrefix($"searches/{searchId}/");
        await PhaseJobs.EnqueueAsync(jobs, dbf, search, withBaselines: true, CancellationToken.None);
        await progress.TrialChanged(SearchCoordinator.ToUpdate(trial));
        await progress.SearchChanged(SearchCoordinator.ToUpdate(search));
    }
}
