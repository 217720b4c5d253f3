using System.Diagnostics;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Pipeline;

/// <summary>
/// Lower-fidelity estimation (MnasNet trains each sampled model for 5 epochs on a proxy task):
/// trains on a fixed stratified fraction of the training split for a few epochs, scores on the
/// validation split, then measures latency on the device.
/// </summary>
public sealed class ProxyTrainingEstimator : IPerformanceEstimator
{
    private readonly ImageDataset _train;
    private readonly ImageDataset _validation;
    private readonly TrainingOptions _training;
    private readonly Trainer _trainer;
    private readonly LatencyMeter _meter;

    public ProxyTrainingEstimator(ImageDataset trainSplit, ImageDataset validationSplit, TrainingOptions training,
        double fraction, long seed, Trainer trainer, LatencyMeter meter)
    {
        // The same subset for every trial, so trials differ only by architecture.
        _train = fraction < 1 ? DataSplit.Fraction(trainSplit, fraction, seed) : trainSplit;
        _validation = validationSplit;
        // Erasing and weight averaging pay off over long trainings only; a few proxy epochs would just learn slower.
        _training = training with { DataFraction = 1.0, ErasingProbability = 0, EmaDecay = null };
        _trainer = trainer;
        _meter = meter;
    }

    public int TrainCount => _train.Count;

    public TrialMeasurement Estimate(Candidate candidate, long seed, Action<EpochReport>? onEpoch, CancellationToken ct) =>
        Estimate(candidate, seed, null, onEpoch, ct);

    public TrialMeasurement Estimate(Candidate candidate, long seed, TrialFidelity? fidelity, Action<EpochReport>? onEpoch, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var network = candidate.Build(seed);
        TrainingResult training;
        var train = fidelity is { Fraction: < 1 } f ? DataSplit.Fraction(_train, f.Fraction, 1) : _train;
        var options = _training with { Seed = seed, Epochs = fidelity?.Epochs ?? _training.Epochs };
        TorchRuntime.DeviceLock.Wait(ct);
        try
        {
            training = _trainer.Train(network, candidate.Task, train, _validation, options, onEpoch, ct);
        }
        finally
        {
            TorchRuntime.DeviceLock.Release();
        }
        var latency = _meter.Measure(candidate, network, ct);
        return new TrialMeasurement(training.ValidationMetric ?? 0, latency, training.History, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The default estimator: proxy epochs on the proxy fraction of the training split.</summary>
    public sealed class Factory : IEstimatorFactory
    {
        public IPerformanceEstimator Create(EstimatorContext c) =>
            new ProxyTrainingEstimator(c.TrainSplit, c.ValidationSplit, c.Options.Training with { Epochs = c.Options.ProxyEpochs },
                c.Options.ProxyFraction, c.Options.Seed, c.Trainer, c.Meter);
    }
}
