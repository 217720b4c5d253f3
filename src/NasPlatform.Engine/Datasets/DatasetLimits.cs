namespace NasPlatform.Engine.Datasets;

/// <summary>
/// Upper bounds every reader checks before it allocates or decodes, so a corrupt or hostile upload
/// fails with a message instead of exhausting memory or disk. The defaults hold every common
/// dataset (ImageNet-sized uploads excepted) with room to spare.
/// </summary>
public sealed record DatasetLimits
{
    public static DatasetLimits Default { get; } = new();

    /// <summary>Images in one split (train or test).</summary>
    public int MaxImages { get; init; } = 10_000_000;

    /// <summary>Pixels on either side of one image, as declared by a header or an image codec.</summary>
    public int MaxSide { get; init; } = 8192;

    /// <summary>Bytes of pixels held for one split. A .NET byte array cannot exceed Array.MaxLength anyway.</summary>
    public long MaxPixelBytes { get; init; } = Array.MaxLength;

    /// <summary>Bytes decompressed from one archive or gzip file, counted as they are read.</summary>
    public long MaxExpandedBytes { get; init; } = 2L << 30;

    /// <summary>Bytes decompressed from one archive entry, counted as they are read.</summary>
    public long MaxEntryBytes { get; init; } = 64L << 20;

    /// <summary>Expanded-to-compressed ratio of one archive entry above which it counts as a bomb.</summary>
    public double MaxCompressionRatio { get; init; } = 200;

    /// <summary>
    /// The ratio is only judged once an entry has expanded this far: small, flat images
    /// (a 32x32 BMP of one colour) legitimately compress hundreds of times.
    /// </summary>
    public long RatioCheckMinBytes { get; init; } = 1L << 20;

    /// <summary>Classes in one dataset.</summary>
    public int MaxClasses { get; init; } = 10_000;

    internal long PixelByteCap => Math.Min(MaxPixelBytes, Array.MaxLength);

    internal void Validate()
    {
        if (MaxImages <= 0 || MaxSide <= 0 || MaxPixelBytes <= 0 || MaxExpandedBytes <= 0 || MaxEntryBytes <= 0
            || MaxCompressionRatio <= 1 || RatioCheckMinBytes < 0 || MaxClasses < 2)
            throw new ArgumentException($"Dataset limits are not valid: {this}.");
    }
}
