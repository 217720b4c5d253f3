namespace NasPlatform.Engine.Datasets;

/// <summary>How an image-folder archive becomes a dataset: the size every image is resized to, and the test split.</summary>
public sealed record ImageFolderOptions
{
    public int Width { get; init; } = 32;
    public int Height { get; init; } = 32;

    /// <summary>1 (grayscale, by luminance) or 3 (RGB).</summary>
    public int Channels { get; init; } = 3;

    /// <summary>Share of each class held out as the test split, in [0, 1).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Classes with fewer images are refused: they can neither train nor be tested meaningfully.</summary>
    public int MinImagesPerClass { get; init; } = 5;

    /// <summary>Seed of the per-class shuffle that picks the test images.</summary>
    public long Seed { get; init; }

    public DatasetLimits Limits { get; init; } = DatasetLimits.Default;

    internal void Validate()
    {
        Limits.Validate();
        if (Channels is not (1 or 3)) throw new ArgumentException($"Channels must be 1 or 3, not {Channels}.");
        if (Width <= 0 || Height <= 0 || Width > Limits.MaxSide || Height > Limits.MaxSide)
            throw new ArgumentException($"Image size {Width}x{Height} must be between 1 and {Limits.MaxSide} a side.");
        if (!(TestFraction >= 0 && TestFraction < 1)) throw new ArgumentException($"TestFraction must be in [0, 1), not {TestFraction}.");
        if (MinImagesPerClass < 1) throw new ArgumentException($"MinImagesPerClass must be at least 1, not {MinImagesPerClass}.");
    }
}
