using NasPlatform.Engine.Datasets.Detection;
using NasPlatform.Engine.Ops;

namespace NasPlatform.Engine.Datasets;

/// <summary>
/// The engine's one in-memory image representation: uint8 pixels in N x C x H x W order, one label
/// per image, and the class names. Every reader produces it; the trainer consumes it.
/// One byte per channel keeps a 60K-image 28x28 set at 47 MB instead of 188 MB as floats.
/// </summary>
public sealed class ImageDataset
{
    /// <param name="masks">Segmentation: N x H x W class indices (255 = not scored); labels then only stratify splits.</param>
    /// <param name="boxes">Detection: each image's objects; labels then only stratify splits.</param>
    public ImageDataset(byte[] pixels, int[] labels, IReadOnlyList<string> classNames, int channels, int height, int width, byte[]? masks = null,
        IReadOnlyList<DetectionBox[]>? boxes = null)
    {
        if (boxes is not null && boxes.Count != labels.Length)
            throw new DatasetFormatException($"{boxes.Count} box lists do not match {labels.Length} images.");
        Boxes = boxes;
        if (masks is not null && masks.LongLength != (long)labels.Length * height * width)
            throw new DatasetFormatException($"{masks.LongLength} mask bytes do not hold {labels.Length} masks of {height}x{width}.");
        Masks = masks;
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new DatasetFormatException($"Image shape {channels}x{height}x{width} is not valid.");
        if ((long)labels.Length * channels * height * width != pixels.LongLength)
            throw new DatasetFormatException(
                $"{pixels.LongLength} pixel bytes do not hold {labels.Length} images of {channels}x{height}x{width}.");
        if (classNames.Count < 1) throw new DatasetFormatException("A dataset needs at least one class name.");
        foreach (var l in labels)
            if (l < 0 || l >= classNames.Count)
                throw new DatasetFormatException($"Label {l} is out of range for {classNames.Count} classes.");
        Pixels = pixels;
        Labels = labels;
        ClassNames = classNames;
        Channels = channels;
        Height = height;
        Width = width;
    }

    public byte[] Pixels { get; }

    /// <summary>Per-pixel class indices (N x H x W) of a segmentation set; null for classification.</summary>
    public byte[]? Masks { get; }
    /// <summary>Each image's objects (boxes in pixels) of a detection set; null otherwise.</summary>
    public IReadOnlyList<DetectionBox[]>? Boxes { get; }

    public int[] Labels { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Count => Labels.Length;
    public int NumClasses => ClassNames.Count;
    public int ImageSize => Channels * Height * Width;

    public DataShape Shape => new(new FeatureShape(Channels, Height, Width), NumClasses);

    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * ImageSize, ImageSize);

    public ReadOnlySpan<byte> Mask(int index) => Masks is null ? throw new InvalidOperationException("This dataset has no masks.")
        : Masks.AsSpan(index * Height * Width, Height * Width);

    /// <summary>A new dataset holding the given images, in the given order.</summary>
    public ImageDataset Subset(IReadOnlyList<int> indices)
    {
        var size = ImageSize;
        var pixels = new byte[(long)indices.Count * size];
        var labels = new int[indices.Count];
        int plane = Height * Width;
        var masks = Masks is null ? null : new byte[(long)indices.Count * plane];
        for (int i = 0; i < indices.Count; i++)
        {
            Pixels.AsSpan(indices[i] * size, size).CopyTo(pixels.AsSpan(i * size, size));
            labels[i] = Labels[indices[i]];
            Masks?.AsSpan(indices[i] * plane, plane).CopyTo(masks.AsSpan(i * plane, plane));
        }
        var boxes = Boxes is null ? null : indices.Select(i => Boxes[i]).ToList();
        return new ImageDataset(pixels, labels, ClassNames, Channels, Height, Width, masks, boxes);
    }

    /// <summary>Both datasets' images, this one's first (used to retrain on train + validation).</summary>
    public ImageDataset Concat(ImageDataset other)
    {
        if (other.Channels != Channels || other.Height != Height || other.Width != Width || other.NumClasses != NumClasses)
            throw new ArgumentException("Only datasets of the same shape and classes can be joined.", nameof(other));
        var pixels = new byte[Pixels.LongLength + other.Pixels.LongLength];
        Pixels.CopyTo(pixels, 0);
        other.Pixels.CopyTo(pixels, Pixels.LongLength);
        byte[]? masks = Masks is null || other.Masks is null ? null : [.. Masks, .. other.Masks];
        if ((Masks is null) != (other.Masks is null)) throw new ArgumentException("A segmentation set joins only another with masks.", nameof(other));
        if ((Boxes is null) != (other.Boxes is null)) throw new ArgumentException("A detection set joins only another with boxes.", nameof(other));
        List<DetectionBox[]>? boxes = Boxes is null ? null : [.. Boxes, .. other.Boxes!];
        return new ImageDataset(pixels, [.. Labels, .. other.Labels], ClassNames, Channels, Height, Width, masks, boxes);
    }

    /// <summary>Number of images of each class.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[NumClasses];
        foreach (var l in Labels) counts[l]++;
        return counts;
    }
}

/// <summary>What a search needs to know of a dataset before loading it: the image shape and the number of classes.</summary>
public sealed record DataShape(FeatureShape Image, int Classes);

/// <summary>A dataset's training part and its separate test part (touched only for the final report).</summary>
public sealed record DatasetBundle(ImageDataset Train, ImageDataset Test, string Format);

/// <summary>The input is not a valid dataset; the message names the problem (and the file, where known).</summary>
public sealed class DatasetFormatException(string message, Exception? inner = null) : Exception(message, inner);
