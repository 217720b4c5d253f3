using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Search;
using NasPlatform.Engine.SearchSpace;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Progress;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Platform.Searches;

/// <summary>
/// The search's last step: the best trial by reward is retrained on train + validation for the
/// final epochs, evaluated once on the test part, measured again, and stored as the search's model.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed class FinalTrainingJob(IDbContextFactory<NasDbContext> dbf, DatasetCache cache, IBlobStore blobs, SearchCoordinator coordinator,
    IProgressSink progress, IOptions<PlatformOptions> options, TimeProvider time, ILogger<FinalTrainingJob> log)
{
    public async Task RunAsync(Guid searchId, CancellationToken ct)
    {
        Search search;
        Trial best;
        await using (var db = await dbf.CreateDbContextAsync(ct))
        {
            search = await db.Searches.Include(s => s.Dataset).Include(s => s.Trials).FirstOrDefaultAsync(s => s.Id == searchId, ct)
                     ?? throw new InvalidOperationException($"Search {searchId} does not exist.");
            if (search.Status != SearchStatus.Running || search.Phase != SearchPhases.Final) return;
            best = SearchCoordinator.Best(search.Trials) ?? throw new InvalidOperationException("No trial succeeded.");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            var modelId = Guid.NewGuid();
            var weightsBlob = $"models/{modelId}/model.bin";
            var engine = SearchSettings.ToEngine(search, options.Value.Worker);
            FinalModel final;
            TorchRuntime.Configure(engine.Threads);
            var device = TorchRuntime.ResolveDevice(engine.Device);
            var data = cache.Get(search.Dataset!.DataBlob!);
            var arch = MnasArchitecture.FromJson(best.ArchitectureJson);
            var selected = new TrialRecord(best.Number, arch, SearchCoordinator.Choices(best), best.ValidationAccuracy ?? 0,
                JsonSerializer.Deserialize<LatencyStats>(best.LatencyJson!, TrialJob.Json)!, best.Parameters, best.Macs, best.Reward ?? 0, [], best.Seconds ?? 0, best.FromCache);
            final = await Task.Run(() => FinalTraining.Run(data, engine, selected, new Trainer(device), r =>
                progress.EpochFinished(new EpochUpdate(searchId, null, 0, r.Epoch, r.Epochs, r.TrainLoss, r.TrainAccuracy, r.ValidationAccuracy, r.Seconds))
                    .GetAwaiter().GetResult(), stop.Token), stop.Token);
            using (final.Network)
                await blobs.WriteFileAsync(weightsBlob, path => { final.Network.save(path); return Task.CompletedTask; }, ct);

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
                ArchitectureJson = best.ArchitectureJson, ArchitectureHash = best.ArchitectureHash,
                TestAccuracy = final.TestAccuracy, TestLoss = final.TestLoss, LatencyMs = final.Latency.MedianMs,
                LatencyJson = JsonSerializer.Serialize(final.Latency, TrialJob.Json), Parameters = best.Parameters, Macs = best.Macs,
                Reward = final.Reward, HistoryJson = JsonSerializer.Serialize(final.History, TrialJob.Json), TrainSeconds = final.TrainSeconds,
                Device = search.TargetDevice, WeightsBlob = weightsBlob, CreatedAt = time.GetUtcNow(),
            });
            row.ModelId = modelId;
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
        catch (Exception e)
        {
            log.LogError(e, "Final training of search {Id} failed", searchId);
            await coordinator.FailAsync(searchId, $"Final training failed: {e.Message}");
        }
    }
}
