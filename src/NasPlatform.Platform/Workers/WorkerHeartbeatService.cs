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
                Id = identity.Id, Host = identity.Host, DeviceClass = w.DeviceClass, DeviceName = "",
            });
            (node.DeviceName, node.MemoryBytes) = DeviceDescription.Describe(w);
            node.Threads = w.EffectiveThreads;
            node.Queues = [.. identity.Queues];
            node.InProcess = inProcess;
            node.StartedAt = node.LastSeen = time.GetUtcNow();
            node.StoppedAt = null;
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

/// <summary>What a worker's device is: CPU model and cores, or the GPU's name and memory (from nvidia-smi).</summary>
public static class DeviceDescription
{
    public static (string Name, long? MemoryBytes) Describe(WorkerOptions w)
    {
        if (w.TorchDevice.StartsWith("cuda", StringComparison.OrdinalIgnoreCase))
        {
            int index = w.TorchDevice.Contains(':') && int.TryParse(w.TorchDevice[(w.TorchDevice.IndexOf(':') + 1)..], out var i) ? i : 0;
            var gpu = QueryNvidiaSmi() is { } output ? ParseNvidiaSmi(output, index) : null;
            return gpu is { } g
                ? ($"{g.Name} ({g.MemoryMiB / 1024.0:0} GiB, {w.TorchDevice})", g.MemoryMiB * 1024 * 1024)
                : ($"CUDA device {w.TorchDevice} (nvidia-smi not available)", null);
        }
        string model = "CPU";
        try
        {
            var line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
            if (line is not null) model = line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return ($"{model} ({Environment.ProcessorCount} cores, {w.EffectiveThreads} training threads)", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }

    /// <summary>The line of GPU <paramref name="index"/> in `nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader,nounits`.</summary>
    public static (string Name, long MemoryMiB)? ParseNvidiaSmi(string output, int index)
    {
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length == 3 && int.TryParse(parts[0], out var i) && i == index && long.TryParse(parts[2], out var mib))
                return (parts[1], mib);
        }
        return null;
    }

    private static string? QueryNvidiaSmi()
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("nvidia-smi",
                "--query-gpu=index,name,memory.total --format=csv,noheader,nounits") { RedirectStandardOutput = true, UseShellExecute = false });
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEnd();
            return process.WaitForExit(10_000) && process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }
    }
}
