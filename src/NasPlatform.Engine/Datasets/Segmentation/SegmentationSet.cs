namespace NasPlatform.Engine.Datasets.Segmentation;

/// <summary>A class of a segmentation dataset: its name and, optionally, the colour masks and overlays draw it in (#rrggbb).</summary>
public sealed record SegmentationClass(string Name, string? Color = null);

/// <summary>
/// Images with one class index per pixel: <see cref="Pixels"/> is N x C x H x W bytes, <see cref="Masks"/> N x H x W
/// class indices (<see cref="Ignore"/> = not scored). <see cref="Names"/> are the images' file stems.
/// </summary>
public sealed class SegmentationSet
{
    public const byte Ignore = 255;

    public SegmentationSet(byte[] pixels, byte[] masks, IReadOnlyList<string> names, IReadOnlyList<SegmentationClass> classes, int channels, int height, int width)
    {
        if (pixels.Length != names.Count * channels * height * width) throw new ArgumentException("The pixels do not match the images' count and shape.");
        if (masks.Length != names.Count * height * width) throw new ArgumentException("The masks do not match the images' count and size.");
        Pixels = pixels;
        Masks = masks;
        Names = names;
        Classes = classes;
        Channels = channels;
        Height = height;
        Width = width;
    }

    public byte[] Pixels { get; }
    public byte[] Masks { get; }
    public IReadOnlyList<string> Names { get; }
    public IReadOnlyList<SegmentationClass> Classes { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Count => Names.Count;

    /// <summary>Each class's share of the scored pixels (the dataset preview's per-class pixel share).</summary>
    public double[] PixelShares()
    {
        var counts = new long[Classes.Count];
        long scored = 0;
        foreach (var m in Masks)
        {
            if (m == Ignore) continue;
            counts[m]++;
            scored++;
        }
        return counts.Select(c => scored == 0 ? 0 : (double)c / scored).ToArray();
    }
}
