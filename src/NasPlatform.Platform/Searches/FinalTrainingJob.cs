using System.Text.Json;
using Hangfire;
using Hangfire.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Export;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Progress;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Platform.Searches;

/// <summary>
/// The search's last step: the best trial by reward is retrained on train + validation for the
/// final epochs, evaluated once on the test part, measured again, and stored as the search's model.
/// Cancelling the search stops it within about a second.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed class FinalTrainingJob(IDbContextFactory<NasDbContext> dbf, DatasetCache cache, IBlobStore blobs, SearchCoordinator coordinator,
    SearchSetup setup, Devices.LatencyDevices latencyDevices, IProgressSink progress, TimeProvider time, ILogger<FinalTrainingJob> log)
{
    /// <summary>Jobs queued before the job id was passed in (an upgrade with jobs waiting).</summary>
    public Task RunAsync(Guid searchId, CancellationToken ct) => RunAsync(searchId, null, ct);

    /// <param name="context">Supplied by Hangfire: the job stops once the search's phase job is another one (a resume queued it).</param>
    public async Task RunAsync(Guid searchId, PerformContext? context, CancellationToken ct)
    {
        Search search;
        await using (var db = await dbf.CreateDbContextAsync(ct))
        {
            search = await db.Searches.Include(s => s.Dataset).Include(s => s.Trials).FirstOrDefaultAsync(s => s.Id == searchId, ct)
                     ?? throw new InvalidOperationException($"Search {searchId} does not exist.");
            if (search.Status != SearchStatus.Running || search.Phase != SearchPhases.Final) return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // A cancel from any process stops the training at the next batch; nothing is written before training ends.
        using var watcher = SearchCancellation.Watch(dbf, searchId, stop, log, SearchCancellation.PhaseJobOtherThan(dbf, searchId, context?.BackgroundJob.Id));
        try
        {
            var modelId = Guid.NewGuid();
            var weightsBlob = $"models/{modelId}/model.bin";
            var plan = setup.For(search);
            FinalModel final;
            TorchRuntime.Configure(plan.Options.Threads);
            var device = TorchRuntime.ResolveDevice(plan.Options.Device);
            var (best, finalists) = await Task.Run(() => SearchCoordinator.Finalist(search, search.Trials, plan.Components, latencyDevices.Meter(search, device, plan.Options.Latency), stop.Token), stop.Token);
            var data = cache.Get(search.Dataset!.DataBlob!);
            var candidate = plan.Components.Parse(best.ArchitectureJson);
            final = await Task.Run(() => FinalTraining.Run(data, plan.Options, plan.Components, candidate, new Trainer(device), r =>
                progress.EpochFinished(EpochUpdate.Of(searchId, null, 0, r)).GetAwaiter().GetResult(), stop.Token, latencyDevices.Remote(search)), stop.Token);
            using (final.Network)
            {
                await blobs.WriteFileAsync(weightsBlob, path => { final.Network.save(path); return Task.CompletedTask; }, ct);
                await blobs.WriteFileAsync($"models/{modelId}/{PyTorchExport.WeightsFile}", path =>
                {
                    PyTorchExport.SaveStateDict(final.Network, path);
                    return Task.CompletedTask;
                }, ct);
            }
            if (final.PyTorch.Source is { } source)
                await blobs.WriteAsync($"models/{modelId}/{PyTorchExport.SourceFile}", new MemoryStream(System.Text.Encoding.UTF8.GetBytes(source)), ct);
            var onnxBlob = final.Onnx.Usable ? $"models/{modelId}/{OnnxExport.FileName}" : null;
            if (onnxBlob is not null) await blobs.WriteAsync(onnxBlob, new MemoryStream(final.Onnx.Model!), ct);
            else log.LogWarning("Search {Id}: no ONNX file for its model: {Error}", searchId, final.Onnx.Error);

            await using var db = await dbf.CreateDbContextAsync(CancellationToken.None);
            var row = await db.Searches.FirstAsync(s => s.Id == searchId, CancellationToken.None);
            if (row.Status != SearchStatus.Running)
            {
                blobs.DeletePrefix($"models/{modelId}/");
                return;
            }
            db.Models.Add(new TrainedModel
            {
                Id = modelId, OwnerId = search.OwnerId, SearchId = searchId, TrialId = best.Id, Name = $"{search.Name} (trial {best.Number})",
                SearchSpace = search.SearchSpace, Task = search.Task, ArchitectureJson = best.ArchitectureJson, ArchitectureHash = best.ArchitectureHash,
                Metric = plan.Components.Task.PrimaryMetric, TestMetric = final.Test.Metric,
                TestMetricsJson = JsonSerializer.Serialize(final.Test.Metrics, TrialRows.Json), TestLoss = final.Test.Loss,
                LatencyMs = final.Latency.MedianMs, LatencyJson = JsonSerializer.Serialize(final.Latency, TrialRows.Json),
                Parameters = candidate.Cost.Parameters, Macs = candidate.Cost.MultiplyAdds, Reward = final.Reward,
                RewardTermsJson = JsonSerializer.Serialize(final.Score.Terms, TrialRows.Json),
                HistoryJson = JsonSerializer.Serialize(final.History, TrialRows.Json), TrainSeconds = final.TrainSeconds,
                RecipeJson = JsonSerializer.Serialize(final.Recipe, TrialRows.Json), BudgetJson = JsonSerializer.Serialize(final.Budget, TrialRows.Json),
                Device = search.LatencyDevice ?? search.TargetDevice, WeightsBlob = weightsBlob, CreatedAt = time.GetUtcNow(),
                OnnxBlob = onnxBlob, OnnxJson = ResultWriter.Onnx(final.Onnx).ToJsonString(), PyTorchJson = ResultWriter.PyTorch(final.PyTorch).ToJsonString(),
            });
            row.ModelId = modelId;
            row.BestTrialId = best.Id;
            row.FinalistsJson = JsonSerializer.Serialize(finalists, TrialRows.Json);
            row.Outcome = final.Budget.Outcome;
            row.Status = SearchStatus.Succeeded;
            row.Phase = SearchPhases.Done;
            row.FinishedAt = time.GetUtcNow();
            row.Version++;
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
            }
            catch (DbUpdateConcurrencyException)
            {
                blobs.DeletePrefix($"models/{modelId}/"); // cancelled in the last moment
                return;
            }
            await progress.SearchChanged(SearchCoordinator.ToUpdate(row));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            log.LogInformation("Final training of search {Id} stopped: the search was cancelled", searchId);
        }
        catch (Exception e)
        {
            log.LogError(e, "Final training of search {Id} failed", searchId);
            await coordinator.FailAsync(searchId, $"Final training failed: {e.Message}");
        }
    }
}
