using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Training;

namespace NasPlatform.Web.Tests.Toy;

/// <summary>
/// Instant, deterministic measurements for toy architectures (so the CLI and the platform can be
/// compared on equal results); every other space gets the platform's real estimator.
/// </summary>
public sealed class ToyEstimatorFactory : IEstimatorFactory
{
    private readonly ProxyTrainingEstimator.Factory _real = new();

    public IPerformanceEstimator Create(EstimatorContext context) =>
        new Estimator(_real.Create(context), context.Options.EarlyStopping == SearchOptions.MedianEarlyStopping ? context.Options.ProxyEpochs : 1);

    /// <summary>Toy architectures of this width fail to train, as a broken setup would make every trial fail.</summary>
    public const int BrokenWidth = 13;

    public static TrialMeasurement Measure(ToyArchitecture a)
    {
        double metric = 0.2 + Convert.ToInt32(a.Hash[..4], 16) % 700 / 1000.0;
        double latency = 0.1 + a.Width * a.Depth / 100.0;
        var stats = new LatencyStats(latency, latency, latency, latency, latency, latency, 3, 1, 1, "cpu");
        return new TrialMeasurement(metric, stats, [new EpochReport(1, 1, 1.0, metric, metric, 1.0, 0.01, 100)], 0.01);
    }

    /// <param name="epochs">Above 1 (for early-stopping searches), a learning curve rising linearly to the measured metric,
    /// cut where an early-stopping rule says, as the trainer does.</param>
    public sealed class Estimator(IPerformanceEstimator real, int epochs = 1) : IPerformanceEstimator
    {
        public TrialMeasurement Estimate(Candidate candidate, long seed, Action<EpochReport>? onEpoch, CancellationToken ct)
        {
            if (candidate.Architecture is not ToyArchitecture toy) return real.Estimate(candidate, seed, onEpoch, ct);
            if (toy.Width == BrokenWidth) throw new InvalidOperationException($"toy failure: width {BrokenWidth} never trains");
            var m = Measure(toy);
            if (epochs == 1)
            {
                foreach (var epoch in m.History) onEpoch?.Invoke(epoch);
                return m;
            }
            var curve = new List<EpochReport>();
            for (int e = 1; e <= epochs; e++)
            {
                double metric = m.ValidationMetric * e / epochs;
                curve.Add(new EpochReport(e, epochs, 1.0, metric, metric, 1.0, 0.01, 100));
                try
                {
                    onEpoch?.Invoke(curve[^1]);
                }
                catch (StopTrainingEarly)
                {
                    break;
                }
            }
            return m with { ValidationMetric = curve[^1].ValidationMetric!.Value, History = curve };
        }
    }
}
