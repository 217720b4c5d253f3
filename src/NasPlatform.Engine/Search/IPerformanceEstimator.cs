using NasPlatform.Engine.Latency;
using NasPlatform.Engine.SearchSpace;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Search;

/// <summary>What a performance estimator (the survey's third axis) learns about one architecture.</summary>
public sealed record TrialMeasurement(double ValidationAccuracy, LatencyStats Latency, IReadOnlyList<EpochReport> History, double Seconds);

/// <summary>
/// Estimates an architecture's accuracy and measures its latency. The default trains at proxy
/// fidelity; later estimators (weight sharing, learning-curve extrapolation) plug in here.
/// </summary>
public interface IPerformanceEstimator
{
    TrialMeasurement Estimate(MnasArchitecture architecture, long seed, Action<EpochReport>? onEpoch, CancellationToken ct);
}
