using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Ops;

namespace NasPlatform.Platform.Devices;

/// <summary>A search's latency device that is an edge agent: each measurement is a job in its queue, waited for.</summary>
public sealed class AgentLatency(LatencyQueue queue, Guid deviceId, string deviceName, Guid? searchId) : IRemoteLatency
{
    public string Device => EdgeDeviceService.TargetPrefix + deviceName;

    public LatencyStats Measure(byte[] onnxModel, FeatureShape input, LatencyOptions options, CancellationToken ct)
    {
        // Called from training threads (the engine is synchronous); the waits are database polls.
        var id = queue.EnqueueAsync(deviceId, searchId, onnxModel, input, options, ct).GetAwaiter().GetResult();
        var m = queue.WaitAsync(id, Device, ct).GetAwaiter().GetResult();
        return new LatencyStats(m.MedianMs, m.MeanMs, m.MinMs, m.MaxMs, m.P10Ms, m.P90Ms, m.Runs, options.BatchSize, m.Threads, Device,
            "direct (agent" + (m.Runtime is { Length: > 0 } r ? ", " + r : "") + ")", 0, m.RoundSpread);
    }
}
