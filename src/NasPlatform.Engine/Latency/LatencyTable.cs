using System.Collections.Concurrent;
using System.Text.Json;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Torch;

namespace NasPlatform.Engine.Latency;

/// <summary>
/// Per-layer latencies measured on one device: each layer alone, batch 1, on its own input shape.
/// Filled as new layers appear (a few milliseconds each) and saved as JSON, so a device class keeps
/// its table across searches.
/// </summary>
public sealed class LatencyTable
{
    private readonly ConcurrentDictionary<string, double> _ms = new(StringComparer.Ordinal);

    public int Count => _ms.Count;

    public bool TryGet(string key, out double ms) => _ms.TryGetValue(key, out ms);

    public void Set(string key, double ms) => _ms[key] = ms;

    public IReadOnlyDictionary<string, double> Entries => _ms;

    /// <summary>Measures the layers of the network not in the table yet; returns how many were new.</summary>
    public int Fill(ArchitectureGraph graph, LatencyMeter meter, CancellationToken ct = default) => Fill(LatencyLayers.Of(graph), meter, ct);

    /// <summary>Measures the given layers not in the table yet; returns how many were new.</summary>
    public int Fill(IEnumerable<LatencyLayer> layers, LatencyMeter meter, CancellationToken ct = default)
    {
        int added = 0;
        foreach (var layer in layers)
        {
            if (_ms.ContainsKey(layer.Key)) continue;
            using var module = TorchRuntime.Seeded(1, () => layer.Op.Build());
            _ms[layer.Key] = meter.Measure(module, layer.Input, ct).MedianMs;
            added++;
        }
        return added;
    }

    /// <summary>Sum of the table's entries over the network's layers (null when one is missing).</summary>
    public double? Sum(ArchitectureGraph graph)
    {
        double sum = 0;
        foreach (var layer in LatencyLayers.Of(graph))
        {
            if (!_ms.TryGetValue(layer.Key, out var ms)) return null;
            sum += ms;
        }
        return sum;
    }

    /// <summary>Micro-benchmark settings: few runs suffice for one small layer.</summary>
    public static LatencyOptions MeterOptions(LatencyOptions trial) => trial with { WarmupRuns = 5, TimedRuns = 30, Rounds = 3, Method = LatencyMethod.Direct };

    public string ToJson() => JsonSerializer.Serialize(_ms.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => e.Value));

    public static LatencyTable FromJson(string json)
    {
        var table = new LatencyTable();
        foreach (var (key, ms) in JsonSerializer.Deserialize<Dictionary<string, double>>(json) ?? []) table.Set(key, ms);
        return table;
    }
}
