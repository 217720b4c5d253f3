using NasPlatform.Engine.Ops;

namespace NasPlatform.Engine.Latency;

/// <summary>
/// Latency measured somewhere else than on this worker: the model travels as ONNX to the device that
/// runs it (MnasNet measures on the phone, not on the server that trains). The platform's edge agents
/// implement it; <see cref="LatencyMeter"/> hands candidates to it when it has one.
/// </summary>
public interface IRemoteLatency
{
    /// <summary>Where the figures come from, e.g. agent:pi5 (recorded as the figures' device).</summary>
    string Device { get; }

    /// <summary>Measures <paramref name="onnxModel"/> on the device; throws <see cref="RemoteLatencyException"/> when it cannot.</summary>
    LatencyStats Measure(byte[] onnxModel, FeatureShape input, LatencyOptions options, CancellationToken ct);
}

/// <summary>The remote device did not measure (no agent came, the model failed there); the message says which.</summary>
public sealed class RemoteLatencyException(string message) : Exception(message);
