using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Workers;

namespace NasPlatform.Web.Api;

public static class WorkersApi
{
    public static void MapWorkersApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/workers").WithTags("Workers")
            .MapGet("/", List).WithName("ListWorkers").WithSummary("Workers seen in the last day, with their device and whether they are online");
        app.MapGroup("/api/v1/devices").WithTags("Workers")
            .MapGet("/{deviceClass}/latency-predictor", Predictor).WithName("GetLatencyPredictor")
            .WithSummary("The device class's latency predictor: table entries, measured trials it is calibrated on, and the share of held-out architectures predicted within +-10%");
    }

    private static LatencyPredictorDto Predictor(string deviceClass, NasPlatform.Platform.Latency.LatencyTables tables)
    {
        var predictor = tables.Predictor(deviceClass);
        return new LatencyPredictorDto(deviceClass, predictor.Table.Count, predictor.Observations, predictor.HeldOutAccuracy(),
            predictor.Observations > 0 ? predictor.Intercept : null, predictor.Observations > 0 ? predictor.Scale : null);
    }

    public static async Task<List<WorkerDto>> LoadAsync(IDbContextFactory<NasDbContext> dbf, PlatformOptions options, TimeProvider time, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var now = time.GetUtcNow();
        var since = now.AddDays(-1);
        var rows = await db.Workers.AsNoTracking().Where(w => w.LastSeen >= since).OrderByDescending(w => w.LastSeen).ToListAsync(ct);
        var offlineAfter = WorkerHeartbeatService.OfflineAfter(options.Worker);
        return rows.Select(w => new WorkerDto(w.Id, w.Host, w.DeviceClass, w.DeviceName, w.Threads, w.MemoryBytes, w.Queues, w.InProcess,
            w.StoppedAt is null && now - w.LastSeen <= offlineAfter, w.StartedAt, w.LastSeen)).ToList();
    }

    private static async Task<Ok<List<WorkerDto>>> List(IDbContextFactory<NasDbContext> dbf, IOptions<PlatformOptions> options, TimeProvider time,
        CancellationToken ct) => TypedResults.Ok(await LoadAsync(dbf, options.Value, time, ct));
}
