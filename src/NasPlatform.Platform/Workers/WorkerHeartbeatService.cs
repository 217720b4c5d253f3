using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Configuration;

namespace NasPlatform.Platform.Workers;

/// <summary>Announces this worker (device, threads, queues) and keeps its LastSeen fresh, so the UI can show who is online.</summary>
public sealed class WorkerHeartbeatService(IDbContextFactory<NasDbContext> dbf, WorkerIdentity identity, IOptions<PlatformOptions> options,
    TimeProvider time, ILogger<WorkerHeartbeatService> log, bool inProcess) : BackgroundService
{
    public static TimeSpan OfflineAfter(WorkerOptions w) => TimeSpan.FromSeconds(3 * w.HeartbeatSeconds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var w = options.Value.Worker;
        await using (var db = await dbf.CreateDbContextAsync(stoppingToken))
        {
            var node = await db.Workers.FirstOrDefaultAsync(x => x.Id == identity.Id, stoppingToken);
            if (node is null) db.Workers.Add(node = new WorkerNode
            {
                Id = identity.Id, Host = identity.Host, DeviceClass = w.DeviceClass, DeviceName = DeviceDescription.Describe(w),
            });
            node.Threads = w.EffectiveThreads;
            node.Queues = [.. identity.Queues];
            node.InProcess = inProcess;
            node.StartedAt = node.LastSeen = time.GetUtcNow();
            node.StoppedAt = null;
            node.MemoryBytes = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            await db.SaveChangesAsync(stoppingToken);
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(w.HeartbeatSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var db = await dbf.CreateDbContextAsync(stoppingToken);
                    await db.Workers.Where(x => x.Id == identity.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.LastSeen, time.GetUtcNow()), stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning(e, "Heartbeat failed");
                }
            }
        }
        catch (OperationCanceledException) { }
        try
        {
            await using var db = await dbf.CreateDbContextAsync(CancellationToken.None);
            var stopped = time.GetUtcNow();
            await db.Workers.Where(x => x.Id == identity.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.StoppedAt, stopped));
        }
        catch (Exception e)
        {
            log.LogWarning(e, "Could not mark the worker stopped");
        }
    }
}

/// <summary>A human description of the device: CPU model and cores, or the GPU.</summary>
public static class DeviceDescription
{
    public static string Describe(WorkerOptions w)
    {
        if (w.TorchDevice.StartsWith("cuda", StringComparison.OrdinalIgnoreCase)) return $"CUDA device {w.TorchDevice}";
        string model = "CPU";
        try
        {
            var line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
            if (line is not null) model = line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return $"{model} ({Environment.ProcessorCount} cores, {w.EffectiveThreads} training threads)";
    }
}
