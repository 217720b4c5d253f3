using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using NasPlatform.Engine.Zoo;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Progress;

namespace NasPlatform.Platform.Searches;

/// <summary>
/// Trains a search's baseline zoo, one member after the other, with the search's final recipe on
/// this worker's device (queued behind the final training, so the searched model comes first). A
/// member is claimed before it runs and stored when done, so a second execution of the job picks up
/// where the first stopped; cancelling or deleting the search stops it within about a second.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed class BaselinesJob(IDbContextFactory<NasDbContext> dbf, DatasetCache cache, SearchSetup setup, Devices.LatencyDevices latencyDevices, IProgressSink progress,
    TimeProvider time, ILogger<BaselinesJob> log)
{
    public async Task RunAsync(Guid searchId, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Search? search;
            Baseline? next;
            await using (var db = await dbf.CreateDbContextAsync(ct))
            {
                search = await db.Searches.AsNoTracking().Include(s => s.Dataset).FirstOrDefaultAsync(s => s.Id == searchId, ct);
                if (search is null) return;
                if (search.Status is SearchStatus.Cancelled or SearchStatus.Failed)
                {
                    await CancelRemainingAsync(db, searchId);
                    return;
                }
                next = await db.Baselines.Where(b => b.SearchId == searchId && (b.Status == BaselineStatus.Queued || b.Status == BaselineStatus.Running))
                    .OrderBy(b => b.Number).FirstOrDefaultAsync(ct);
                if (next is null) return;
                next.Status = BaselineStatus.Running;
                await db.SaveChangesAsync(ct);
            }
            await progress.SearchChanged(SearchCoordinator.ToUpdate(search));
            await TrainAsync(search, next, ct);
        }
    }

    private async Task TrainAsync(Search search, Baseline row, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var watcher = SearchCancellation.Watch(dbf, search.Id, stop, log);
        BaselineResult result;
        try
        {
            result = await Task.Run(() => Train(search, row, stop.Token), stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            if (ct.IsCancellationRequested && !await SearchCancellation.IsCancelledAsync(dbf, search.Id)) throw; // shutting down: run again later
            await using var db = await dbf.CreateDbContextAsync(CancellationToken.None);
            await CancelRemainingAsync(db, search.Id);
            return;
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Baseline {Name} of search {Search} failed", row.Name, search.Id);
            result = new BaselineResult(row.Name, row.Family, row.Width, row.SearchSpace, row.ArchitectureJson, row.ArchitectureHash,
                new(row.Parameters, row.Macs), null, BaselineResult.Failed, e.Message, null, null, 0);
        }
        await using (var db = await dbf.CreateDbContextAsync(CancellationToken.None))
        {
            var stored = await db.Baselines.FirstOrDefaultAsync(b => b.Id == row.Id, CancellationToken.None);
            if (stored is null || stored.Status != BaselineStatus.Running) return;
            Store(stored, result);
            stored.FinishedAt = time.GetUtcNow();
            await db.SaveChangesAsync(CancellationToken.None);
        }
        await progress.SearchChanged(SearchCoordinator.ToUpdate(search));
    }

    private BaselineResult Train(Search search, Baseline row, CancellationToken ct)
    {
        var plan = setup.For(search);
        TorchRuntime.Configure(plan.Options.Threads);
        var device = TorchRuntime.ResolveDevice(plan.Options.Device);
        var data = cache.Get(search.Dataset!.DataBlob ?? throw new InvalidOperationException("The dataset has no decoded data."));
        var space = setup.Catalog.Spaces.Get(row.SearchSpace).Create(new SpaceInput(data.Train.Shape.Image, new(data.Train.Shape.Classes)), null);
        var member = new ZooMember(row.Name, row.Family, row.Width, space, space.Parse(row.ArchitectureJson));
        return BaselineTraining.Run(member, plan.Components.Task, data, plan.Options, plan.Components, new Trainer(device),
            latencyDevices.Meter(search, device, plan.Options.Latency), null, ct);
    }

    private static void Store(Baseline row, BaselineResult r)
    {
        row.Status = r.Status switch
        {
            BaselineResult.Trained => BaselineStatus.Trained,
            BaselineResult.Skipped => BaselineStatus.Skipped,
            _ => BaselineStatus.Failed,
        };
        row.Reason = r.Reason;
        row.TestMetric = r.Test?.Metric;
        row.TestMetricsJson = r.Test is null ? null : JsonSerializer.Serialize(r.Test.Metrics, TrialRows.Json);
        row.LatencyMs = r.Latency?.MedianMs;
        row.LatencyJson = r.Latency is null ? null : JsonSerializer.Serialize(r.Latency, TrialRows.Json);
        row.RecipeJson = r.Recipe is null ? null : JsonSerializer.Serialize(r.Recipe, TrialRows.Json);
        row.Seconds = r.Seconds;
    }

    private static Task CancelRemainingAsync(NasDbContext db, Guid searchId) =>
        db.Baselines.Where(b => b.SearchId == searchId && (b.Status == BaselineStatus.Queued || b.Status == BaselineStatus.Running))
            .ExecuteUpdateAsync(u => u.SetProperty(b => b.Status, BaselineStatus.Cancelled));
}
