using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Platform.Configuration;

namespace NasPlatform.Platform.Workers;

/// <summary>Which device classes have a worker online now (a recent heartbeat, not stopped).</summary>
public sealed class WorkerPresence(IDbContextFactory<NasDbContext> dbf, IOptions<PlatformOptions> options, TimeProvider time)
{
    public async Task<HashSet<string>> OnlineClassesAsync(CancellationToken ct)
    {
        var since = time.GetUtcNow() - WorkerHeartbeatService.OfflineAfter(options.Value.Worker);
        await using var db = await dbf.CreateDbContextAsync(ct);
        var classes = await db.Workers.AsNoTracking().Where(w => w.StoppedAt == null && w.LastSeen >= since).Select(w => w.DeviceClass)
            .Distinct().ToListAsync(ct);
        return [.. classes];
    }

    /// <summary>What a user is told when nothing serves the class they picked.</summary>
    public static string NoWorkerMessage(string deviceClass, IReadOnlyCollection<string> online) =>
        $"No worker of device class '{deviceClass}' is online" +
        (online.Count == 0 ? " (no worker is online at all)" : $" (online: {string.Join(", ", online.Order())})") +
        $". Start one with NasPlatform:Worker:DeviceClass={deviceClass}, pick another target device, or set waitForWorkerMinutes to queue the search until one comes.";
}
