namespace NasPlatform.Data.Entities;

/// <summary>One layer's measured batch-1 latency on a device class: an entry of that class's latency table (nn-Meter style).</summary>
public sealed class LatencyEntry
{
    public required string DeviceClass { get; set; }

    /// <summary>The engine's layer key: kind, input and output shapes, parameters and multiply-adds.</summary>
    public required string Key { get; set; }
    public double Ms { get; set; }
    public DateTimeOffset MeasuredAt { get; set; }
}
