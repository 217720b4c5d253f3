namespace NasPlatform.Engine.Training;

public enum OptimizerKind { Sgd, AdamW }

/// <summary>How one network is trained (the fidelity is set by Epochs and DataFraction).</summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 5;

    /// <summary>Fraction of the training split used (proxy training uses less than 1).</summary>
    public double DataFraction { get; init; } = 1.0;

    public int BatchSize { get; init; } = 128;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Peak learning rate; the schedule is a per-step cosine decay after a short linear warm-up.</summary>
    public double LearningRate { get; init; } = 0.05;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 5e-5;
    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>Random-crop padding in pixels (0 disables the crop).</summary>
    public int CropPadding { get; init; } = 2;

    /// <summary>Horizontal flips: only where the user says mirrored images keep their class (not for digits or text).</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Probability of random erasing per image (0 = off); the final training's recipe turns it on.</summary>
    public double ErasingProbability { get; init; }

    /// <summary>Decay of an exponential moving average of the weights that replaces them at the end (null = off), e.g. 0.999.</summary>
    public double? EmaDecay { get; init; }

    public Augmentation Augmentation => new(CropPadding, HorizontalFlip, ErasingProbability);

    /// <summary>Seeds initialization, data order and augmentation.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>How many batches the loader prepares ahead of the training step.</summary>
    public int PrefetchBatches { get; init; } = 4;

    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException("Epochs must be at least 1.");
        if (DataFraction is <= 0 or > 1) throw new ArgumentException("The data fraction must be in (0, 1].");
        if (BatchSize < 1) throw new ArgumentException("The batch size must be at least 1.");
        if (LearningRate <= 0) throw new ArgumentException("The learning rate must be positive.");
        if (LabelSmoothing is < 0 or >= 1) throw new ArgumentException("Label smoothing must be in [0, 1).");
        if (CropPadding < 0) throw new ArgumentException("Crop padding cannot be negative.");
        if (ErasingProbability is < 0 or > 1) throw new ArgumentException("The random-erasing probability must be in [0, 1].");
        if (EmaDecay is { } d && !(d is > 0 and < 1)) throw new ArgumentException("The EMA decay must be in (0, 1).");
    }
}

/// <summary>One finished epoch; the metrics are the task's primary metric.</summary>
public sealed record EpochReport(int Epoch, int Epochs, double TrainLoss, double TrainMetric, double? ValidationMetric, double? ValidationLoss, double Seconds, double ImagesPerSecond);

/// <summary>The outcome of training one network, with the recipe it was trained by.</summary>
public sealed record TrainingResult(IReadOnlyList<EpochReport> History, double? ValidationMetric, double Seconds, TrainingRecipe Recipe);

/// <summary>How a network was trained, as the model card states it: everything needed to train it again the same way.</summary>
public sealed record TrainingRecipe(
    string Optimizer, double PeakLearningRate, string Schedule, long WarmupSteps, long Steps, int Epochs, int BatchSize, int Images,
    double WeightDecay, double LabelSmoothing, int CropPadding, bool HorizontalFlip, double ErasingProbability, double? EmaDecay, long Seed)
{
    public static TrainingRecipe Of(TrainingOptions o, int images, long warmupSteps, long steps) => new(
        o.Optimizer == OptimizerKind.Sgd ? $"SGD, Nesterov momentum {o.Momentum}" : "AdamW",
        o.LearningRate, "linear warm-up, then cosine decay to 0 per step", warmupSteps, steps, o.Epochs, o.BatchSize, images,
        o.WeightDecay, o.LabelSmoothing, o.CropPadding, o.HorizontalFlip, o.ErasingProbability, o.EmaDecay, o.Seed);
}

/// <summary>A network scored on a dataset: the task's primary metric, the mean loss, and every metric by name.</summary>
public sealed record Evaluation(double Metric, double Loss, IReadOnlyDictionary<string, double> Metrics);
