using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;

namespace NasPlatform.Engine.Pipeline;

/// <summary>
/// Latency known before training: every proposal's latency is predicted (the device's per-layer
/// table, calibrated on the trials measured so far), and under a hard budget one predicted well over
/// it is not trained. Until a few trials calibrate the table the margin is wide, so an early
/// misprediction cannot throw away a candidate near the budget; after that the margin is at least
/// as wide as the predictor's worst over-estimate so far (measured / predicted before training), so
/// a predictor that runs high cannot throw away the candidates right at the budget, where the best
/// ones are. Final figures are always measured.
/// </summary>
public sealed class LatencyGate(LatencyPredictor predictor, LatencyMeter tableMeter, LatencyTarget target)
{
    private double _lowestRatio = 1;

    /// <summary>Skip above budget x this once calibrated (at least <see cref="Calibrated"/> measured trials), else above budget x <see cref="EarlyFactor"/>.</summary>
    public const double SkipFactor = 1.25, EarlyFactor = 2.0;

    public const int Calibrated = 5;

    public LatencyPredictor Predictor { get; } = predictor;

    public double Predict(Candidate candidate, CancellationToken ct)
    {
        Predictor.Table.Fill(candidate.Graph, tableMeter, ct);
        return Predictor.Predict(candidate.Graph);
    }

    /// <summary>Why the candidate is not trained, or null when it is. Nothing is skipped before a first trial succeeded,
    /// so a search whose every proposal is over budget still ends with a model (and says it is over budget).</summary>
    public string? SkipReason(double predictedMs, bool anyTrained)
    {
        if (target.Constraint != LatencyConstraint.Hard || !anyTrained) return null;
        double limit = target.BudgetMs * (Predictor.Observations >= Calibrated ? Math.Max(SkipFactor, (1 + LatencyBudget.Tolerance) / _lowestRatio) : EarlyFactor);
        return predictedMs > limit
            ? $"Skipped: predicted {predictedMs:0.###} ms is well over the hard budget of {target.BudgetMs:0.###} ms (limit {limit:0.###} ms); not trained."
            : null;
    }

    /// <summary>A trained candidate's measured latency: the predictor's error on it (as predicted before), then its calibration.</summary>
    public void Observe(Candidate candidate, double measuredMs)
    {
        if (Predictor.Observations >= Calibrated) Outcome(Predictor.Predict(candidate.Graph), measuredMs);
        Predictor.Observe(LatencyObservation.Of(candidate.Graph, measuredMs));
    }

    /// <summary>How a calibrated prediction, made before training, compared with the measurement (the platform replays its trials' pairs).</summary>
    public void Outcome(double predictedMs, double measuredMs)
    {
        if (predictedMs > 0 && measuredMs > 0) _lowestRatio = Math.Min(_lowestRatio, measuredMs / predictedMs);
    }

    public static LatencyGate For(SearchOptions options, LatencyMeter meter, LatencyTable? table = null) =>
        new(new LatencyPredictor(table ?? new LatencyTable()), new LatencyMeter(meter.Device, LatencyTable.MeterOptions(options.Latency)),
            new LatencyTarget(options.LatencyBudgetMs, options.Constraint));
}
