using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Pipeline;

/// <summary>What a performance estimator (the survey's third axis) learns about one architecture.</summary>
public sealed record TrialMeasurement(double ValidationMetric, LatencyStats Latency, IReadOnlyList<EpochReport> History, double Seconds);

/// <summary>
/// Estimates an architecture's primary metric and measures its latency. The default trains at proxy
/// fidelity; later estimators (weight sharing, learning-curve extrapolation) plug in here.
/// </summary>
public interface IPerformanceEstimator
{
    TrialMeasurement Estimate(Candidate candidate, long seed, Action<EpochReport>? onEpoch, CancellationToken ct);

    /// <summary>At a fidelity chosen per trial (multi-fidelity strategies); an estimator without fidelities ignores it.</summary>
    TrialMeasurement Estimate(Candidate candidate, long seed, TrialFidelity? fidelity, Action<EpochReport>? onEpoch, CancellationToken ct) =>
        Estimate(candidate, seed, onEpoch, ct);
}

/// <summary>The budget one trial trains for: its rung (multi-fidelity), epochs and share of the proxy subset.</summary>
public sealed record TrialFidelity(int Rung, int Epochs, double Fraction)
{
    /// <summary>A rung's share of the full proxy budget, spent on epochs first and, below one epoch, on a smaller share of the subset.</summary>
    public static TrialFidelity ForRung(int rung, double budget, int proxyEpochs)
    {
        double epochs = proxyEpochs * budget;
        return new TrialFidelity(rung, Math.Max(1, (int)Math.Round(epochs)), Math.Min(1.0, epochs));
    }

    /// <summary>What a known result is looked up by: a multi-fidelity search retrains an architecture at higher rungs.</summary>
    public static string Key(string hash, int? rung) => rung is { } r ? $"{hash}@{r}" : hash;

    /// <summary>The trials the final model is chosen from: those of the highest rung any reached (rewards at lower
    /// fidelity are not comparable); all of them when none has a rung.</summary>
    public static List<T> TopRung<T>(IReadOnlyCollection<T> succeeded, Func<T, int?> rung)
    {
        if (succeeded.Count == 0 || succeeded.All(t => rung(t) is null)) return [.. succeeded];
        int top = succeeded.Max(t => rung(t) ?? 0);
        return succeeded.Where(t => (rung(t) ?? 0) == top).ToList();
    }
}

/// <summary>What an estimator may use: the search's train and validation splits (never the test part), its options and this worker's device.</summary>
public sealed record EstimatorContext(ImageDataset TrainSplit, ImageDataset ValidationSplit, SearchOptions Options, Trainer Trainer, LatencyMeter Meter);

/// <summary>Creates a search's estimator; the platform takes it from DI, so a host can plug in another one.</summary>
public interface IEstimatorFactory
{
    IPerformanceEstimator Create(EstimatorContext context);
}
