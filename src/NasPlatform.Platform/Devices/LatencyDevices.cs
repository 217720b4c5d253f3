using Microsoft.EntityFrameworkCore;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Latency;

namespace NasPlatform.Platform.Devices;

/// <summary>The meters a search's jobs measure with: on the worker itself, or through the search's edge agent.</summary>
public sealed class LatencyDevices(IDbContextFactory<NasDbContext> dbf, LatencyQueue queue)
{
    /// <summary>The remote device of a search with a latency device (null: measured on the worker).</summary>
    public IRemoteLatency? Remote(Search search)
    {
        if (search.LatencyDevice is not { } target) return null;
        using var db = dbf.CreateDbContext();
        var device = EdgeDeviceService.FindAsync(db, search.OwnerId, target, CancellationToken.None).GetAwaiter().GetResult()
            ?? throw new RemoteLatencyException($"The search's latency device '{target}' no longer exists.");
        return new AgentLatency(queue, device.Id, device.Name, search.Id);
    }

    public LatencyMeter Meter(Search search, TorchSharp.torch.Device device, LatencyOptions options) => new(device, options, Remote(search));
}
