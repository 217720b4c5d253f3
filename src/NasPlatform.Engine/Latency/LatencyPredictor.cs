using NasPlatform.Engine.Spaces;

namespace NasPlatform.Engine.Latency;

/// <summary>A measured network: how many of each layer it has, and its measured batch-1 latency.</summary>
public sealed record LatencyObservation(IReadOnlyDictionary<string, int> Layers, double MeasuredMs)
{
    public static LatencyObservation Of(ArchitectureGraph graph, double measuredMs) =>
        new(LatencyLayers.Of(graph).GroupBy(l => l.Key).ToDictionary(g => g.Key, g => g.Count()), measuredMs);
}

/// <summary>
/// Predicts a network's latency before it is trained, in the spirit of nn-Meter: the sum of its
/// layers' entries in the device's <see cref="LatencyTable"/>, calibrated on every measured trial —
/// latency = c + s x (table sum) + the sum of per-layer corrections, where c (per-call overhead), s
/// (how layers alone compare with layers in a network) and the corrections are refitted from the
/// observations, the corrections held near zero by a ridge penalty until the measurements say
/// otherwise. Without a table the corrections alone are the per-layer latencies.
/// </summary>
public sealed class LatencyPredictor(LatencyTable table, double ridge = 1.0)
{
    private readonly List<LatencyObservation> _observations = [];
    private Dictionary<string, double> _corrections = new(StringComparer.Ordinal);
    private double _intercept, _scale = 1;

    public LatencyTable Table { get; } = table;
    public int Observations => _observations.Count;
    public double Intercept => _intercept;
    public double Scale => _scale;

    /// <summary>Adds a measurement and refits.</summary>
    public void Observe(LatencyObservation observation)
    {
        _observations.Add(observation);
        Fit();
    }

    public void ObserveAll(IEnumerable<LatencyObservation> observations)
    {
        _observations.AddRange(observations);
        Fit();
    }

    /// <summary>What one layer adds to a prediction (its scaled table entry plus its correction), for sums outside a whole network.</summary>
    public double LayerMs(string key) => (Table.TryGet(key, out var ms) ? _scale * ms : 0) + _corrections.GetValueOrDefault(key);

    public double Predict(ArchitectureGraph graph) => Predict(LatencyObservation.Of(graph, 0).Layers);

    public double Predict(IReadOnlyDictionary<string, int> layers)
    {
        double sum = _intercept;
        foreach (var (key, count) in layers) sum += count * LayerMs(key);
        // Corrections fitted on few networks can overshoot below zero for an unseen mix of layers; no latency is.
        return Math.Max(sum, 0.1 * TableSum(layers) * _scale);
    }

    /// <summary>
    /// The share of held-out networks predicted within +-10% of their measurement (k-fold: each fold
    /// predicted by a predictor fitted on the others); null below 2 x folds observations.
    /// </summary>
    public double? HeldOutAccuracy(int folds = 5)
    {
        if (_observations.Count < 2 * folds) return null;
        int within = 0;
        for (int f = 0; f < folds; f++)
        {
            var fold = new LatencyPredictor(Table, ridge);
            fold.ObserveAll(_observations.Where((_, i) => i % folds != f));
            foreach (var o in _observations.Where((_, i) => i % folds == f))
                if (Math.Abs(fold.Predict(o.Layers) - o.MeasuredMs) <= 0.1 * o.MeasuredMs) within++;
        }
        return (double)within / _observations.Count;
    }

    private double TableSum(LatencyObservation o) => TableSum(o.Layers);

    private double TableSum(IReadOnlyDictionary<string, int> layers) =>
        layers.Sum(e => Table.TryGet(e.Key, out var ms) ? e.Value * ms : 0);

    private void Fit()
    {
        var sums = _observations.Select(TableSum).ToArray();
        var y = _observations.Select(o => o.MeasuredMs).ToArray();
        // The scale of the table: least squares with an intercept when the sums vary; before that, the
        // measured/table ratio (through the origin), so one network measured faster than its layers'
        // sum scales the table down instead of pushing negative corrections onto shared layers.
        _scale = 1;
        double sumSquares = sums.Sum(s => s * s);
        if (_observations.Count > 0 && sumSquares > 0) _scale = Math.Max(0.1, sums.Zip(y, (s, m) => s * m).Sum() / sumSquares);
        if (_observations.Count >= 3 && sums.Max() > sums.Min())
        {
            double mx = sums.Average(), my = y.Average();
            double cov = sums.Zip(y, (a, b) => (a - mx) * (b - my)).Sum(), var = sums.Sum(a => (a - mx) * (a - mx));
            _scale = Math.Max(0.1, cov / var);
        }
        var keys = _observations.SelectMany(o => o.Layers.Keys).Distinct(StringComparer.Ordinal).ToList();
        var index = keys.Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i + 1, StringComparer.Ordinal);
        var rows = _observations.Select(o => o.Layers.Select(e => (index[e.Key], (double)e.Value)).ToArray()).ToArray();
        var target = y.Select((v, i) => v - _scale * sums[i]).ToArray();
        var solution = RidgeSolver.Solve(rows, target, keys.Count + 1, ridge);
        _intercept = _observations.Count == 0 ? 0 : solution[0];
        _corrections = keys.ToDictionary(k => k, k => solution[index[k]], StringComparer.Ordinal);
    }
}
