using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Ops;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Platform.Devices;

/// <summary>What an agent reports of one measurement (milliseconds per batch; the median is the figure used).</summary>
public sealed record AgentMeasurement(double MedianMs, double MeanMs, double MinMs, double MaxMs, double P10Ms, double P90Ms, int Runs,
    int Threads, double RoundSpread, string? Runtime);

/// <summary>
/// Measurements owed by devices' agents, in the database so that any worker may ask and any web host may
/// hand out: a worker enqueues an ONNX model and waits; an agent leases the oldest job of its device; a
/// lease that runs out (the agent vanished mid-measurement) returns the job to the queue, up to a number
/// of attempts.
/// </summary>
public sealed class LatencyQueue(IDbContextFactory<NasDbContext> dbf, IBlobStore blobs, IOptions<PlatformOptions> options, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private AgentOptions Agents => options.Value.Agents;

    public static string ModelBlob(Guid jobId) => $"latency-jobs/{jobId}.onnx";

    public async Task<Guid> EnqueueAsync(Guid deviceId, Guid? searchId, byte[] onnx, FeatureShape input, LatencyOptions latency, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        await blobs.WriteAsync(ModelBlob(id), new MemoryStream(onnx), ct);
        await using var db = await dbf.CreateDbContextAsync(ct);
        db.LatencyJobs.Add(new LatencyJob
        {
            Id = id, DeviceId = deviceId, SearchId = searchId, ModelBlob = ModelBlob(id), Channels = input.Channels, Height = input.Height, Width = input.Width,
            BatchSize = latency.BatchSize, WarmupRuns = latency.WarmupRuns, TimedRuns = latency.TimedRuns, Rounds = latency.Rounds, Threads = latency.Threads,
            Status = LatencyJobStatus.Queued, CreatedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
        return id;
    }

    /// <summary>
    /// Leases the device's oldest waiting job (queued, or leased with the lease run out) to <paramref name="agent"/>;
    /// null when there is none. The update is conditional on the row being as read, so two agents never share a job.
    /// </summary>
    public async Task<LatencyJob?> ClaimAsync(Guid deviceId, string agent, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        for (int tries = 0; tries < 5; tries++)
        {
            var now = time.GetUtcNow();
            var job = await db.LatencyJobs.AsNoTracking()
                .Where(j => j.DeviceId == deviceId && (j.Status == LatencyJobStatus.Queued || (j.Status == LatencyJobStatus.Leased && j.LeasedUntil < now)))
                .OrderBy(j => j.CreatedAt).FirstOrDefaultAsync(ct);
            if (job is null) return null;
            if (job.Attempts >= Agents.MaxAttempts)
            {
                await FinishAsync(db, job.Id, job.Status, LatencyJobStatus.Failed, null,
                    $"No agent of the device finished this measurement in {job.Attempts} attempts (each lease {Agents.LeaseSeconds} s).", ct);
                continue;
            }
            var until = now.AddSeconds(Agents.LeaseSeconds);
            int claimed = await db.LatencyJobs
                .Where(j => j.Id == job.Id && j.Status == job.Status && j.Attempts == job.Attempts)
                .ExecuteUpdateAsync(u => u.SetProperty(j => j.Status, LatencyJobStatus.Leased).SetProperty(j => j.LeasedBy, agent)
                    .SetProperty(j => j.LeasedUntil, until).SetProperty(j => j.Attempts, job.Attempts + 1), ct);
            if (claimed == 1) return await db.LatencyJobs.AsNoTracking().FirstAsync(j => j.Id == job.Id, ct);
        }
        return null;
    }

    /// <summary>The model of a job leased to the device (null when it is not the device's or not leased).</summary>
    public async Task<Stream?> ModelAsync(Guid deviceId, Guid jobId, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var job = await db.LatencyJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId && j.DeviceId == deviceId && j.Status == LatencyJobStatus.Leased, ct);
        return job is null ? null : blobs.OpenRead(job.ModelBlob);
    }

    /// <summary>Records an agent's figures or its error; false when the job is not the device's or no longer leased (already done elsewhere).</summary>
    public async Task<bool> CompleteAsync(Guid deviceId, Guid jobId, AgentMeasurement? result, string? error, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        if (!await db.LatencyJobs.AnyAsync(j => j.Id == jobId && j.DeviceId == deviceId, ct)) return false;
        bool done = await FinishAsync(db, jobId, LatencyJobStatus.Leased, result is null ? LatencyJobStatus.Failed : LatencyJobStatus.Done,
            result is null ? null : JsonSerializer.Serialize(result, Json), result is null ? error ?? "The agent reported no figures." : null, ct);
        if (done) blobs.DeletePrefix(ModelBlob(jobId));
        return done;
    }

    private async Task<bool> FinishAsync(NasDbContext db, Guid id, LatencyJobStatus from, LatencyJobStatus to, string? result, string? error, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        string? trimmed = error is { Length: > 2000 } ? error[..2000] : error;
        return await db.LatencyJobs.Where(j => j.Id == id && j.Status == from)
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.Status, to).SetProperty(j => j.ResultJson, result).SetProperty(j => j.Error, trimmed)
                .SetProperty(j => j.FinishedAt, now), ct) == 1;
    }

    /// <summary>Waits for a job's end: its figures, or a <see cref="RemoteLatencyException"/> when it failed or nobody measured it in time.</summary>
    public async Task<AgentMeasurement> WaitAsync(Guid jobId, string device, CancellationToken ct)
    {
        var deadline = time.GetUtcNow().AddSeconds(Agents.MeasureTimeoutSeconds);
        while (true)
        {
            await using (var db = await dbf.CreateDbContextAsync(ct))
            {
                var job = await db.LatencyJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, ct)
                    ?? throw new RemoteLatencyException($"The measurement on {device} was removed (the device was deleted).");
                if (job.Status == LatencyJobStatus.Done) return JsonSerializer.Deserialize<AgentMeasurement>(job.ResultJson!, Json)!;
                if (job.Status == LatencyJobStatus.Failed) throw new RemoteLatencyException($"{device}: {job.Error}");
                if (time.GetUtcNow() > deadline)
                {
                    await FinishAsync(db, jobId, job.Status, LatencyJobStatus.Failed, null, "Timed out waiting for an agent.", CancellationToken.None);
                    blobs.DeletePrefix(ModelBlob(jobId));
                    throw new RemoteLatencyException($"No agent of {device} measured the model within {Agents.MeasureTimeoutSeconds} s: is it running?");
                }
            }
            await Task.Delay(TimeSpan.FromMilliseconds(Agents.WaitPollMilliseconds), ct);
        }
    }
}
