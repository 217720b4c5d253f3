namespace NasPlatform.Engine.Pipeline;

/// <summary>What the user fixed of a search's training lengths; null = chosen from the dataset's size.</summary>
public sealed record FidelityRequest(int? ProxyEpochs = null, double? ProxyFraction = null, int? FinalEpochs = null, int? BatchSize = null);

/// <summary>The training lengths a search runs with, every one concrete.</summary>
public sealed record Fidelity(int ProxyEpochs, double ProxyFraction, int FinalEpochs, int BatchSize);

/// <summary>
/// Defaults that scale with the data instead of fixed epoch counts: what a network learns depends on
/// the number of optimizer steps, so a 2,000-image dataset needs many more epochs than 60,000 images
/// to get the same steps (with fixed epochs it got a few dozen steps and ended near chance).
/// </summary>
public static class TrainingDefaults
{
    /// <summary>Optimizer steps a trial's proxy training aims at, and the bounds on its epochs.</summary>
    public const int ProxySteps = 300, MinProxyEpochs = 3, MaxProxyEpochs = 30;

    /// <summary>Images a proxy subset should have at least (the whole split when it is smaller).</summary>
    public const int ProxyImages = 4000;

    /// <summary>The paper-sized proxy fraction used when the split is large.</summary>
    public const double LargeProxyFraction = 0.25;

    /// <summary>Optimizer steps the final training aims at, and the bounds on its epochs.</summary>
    public const int FinalSteps = 3000, MinFinalEpochs = 15, MaxFinalEpochs = 200;

    /// <summary>Below this many training images the batch is halved, for more (and noisier, better-generalizing) steps.</summary>
    public const int SmallDataset = 10_000;

    /// <summary>Fills in what the request leaves open for a training part of <paramref name="trainCount"/> images.</summary>
    public static Fidelity For(int trainCount, double validationFraction, FidelityRequest request)
    {
        if (trainCount < 1) throw new ArgumentException("There are no training images.");
        int batch = request.BatchSize ?? (trainCount < SmallDataset ? 64 : 128);
        int split = Math.Max(1, (int)(trainCount * (1 - validationFraction)));
        double fraction = request.ProxyFraction ?? Math.Round(Math.Clamp((double)ProxyImages / split, LargeProxyFraction, 1.0), 3);
        int proxyImages = Math.Max(1, (int)(split * fraction));
        int proxyEpochs = request.ProxyEpochs ?? EpochsFor(ProxySteps, proxyImages, batch, MinProxyEpochs, MaxProxyEpochs);
        int finalEpochs = request.FinalEpochs ?? EpochsFor(FinalSteps, trainCount, batch, MinFinalEpochs, MaxFinalEpochs);
        return new Fidelity(proxyEpochs, fraction, finalEpochs, batch);
    }

    /// <summary>The options with the fidelity applied.</summary>
    public static SearchOptions Apply(SearchOptions options, Fidelity f) => options with
    {
        ProxyEpochs = f.ProxyEpochs,
        ProxyFraction = f.ProxyFraction,
        FinalEpochs = f.FinalEpochs,
        Training = options.Training with { BatchSize = f.BatchSize },
    };

    private static int EpochsFor(int steps, int images, int batch, int min, int max)
    {
        int stepsPerEpoch = (images + batch - 1) / batch;
        return Math.Clamp((steps + stepsPerEpoch - 1) / stepsPerEpoch, min, max);
    }
}
