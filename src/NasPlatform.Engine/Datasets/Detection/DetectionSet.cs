namespace NasPlatform.Engine.Datasets.Detection;

/// <summary>One object: its class index and its box in pixels of the stored image (x1, y1 top left; x2, y2 bottom right, exclusive).</summary>
public readonly record struct DetectionBox(int Class, float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;
    public float Height => Y2 - Y1;
    public float Area => Math.Max(0, Width) * Math.Max(0, Height);
}

/// <summary>
/// Images with boxes: <see cref="Pixels"/> is N x C x H x W bytes (every image brought to one size, boxes scaled with
/// it), <see cref="Boxes"/> each image's objects. <see cref="Names"/> are the images' file names.
/// </summary>
public sealed class DetectionSet
{
    public DetectionSet(byte[] pixels, IReadOnlyList<DetectionBox[]> boxes, IReadOnlyList<string> names, IReadOnlyList<string> classes,
        int channels, int height, int width)
    {
        if (pixels.LongLength != (long)names.Count * channels * height * width) throw new ArgumentException("The pixels do not match the images' count and shape.");
        if (boxes.Count != names.Count) throw new ArgumentException("Every image needs its (possibly empty) list of boxes.");
        Pixels = pixels;
        Boxes = boxes;
        Names = names;
        Classes = classes;
        Channels = channels;
        Height = height;
        Width = width;
    }

    public byte[] Pixels { get; }
    public IReadOnlyList<DetectionBox[]> Boxes { get; }
    public IReadOnlyList<string> Names { get; }
    public IReadOnlyList<string> Classes { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Count => Names.Count;

    /// <summary>Objects of each class over the whole set (the dataset preview's per-category counts).</summary>
    public int[] ObjectCounts()
    {
        var counts = new int[Classes.Count];
        foreach (var image in Boxes)
            foreach (var b in image) counts[b.Class]++;
        return counts;
    }
}

/// <summary>A detection set as the engine's datasets: images with boxes, a held-out test part.</summary>
public static class DetectionSplit
{
    /// <summary>The share of the images held out as the test part (neither format has a test part of its own here).</summary>
    public const double TestFraction = 0.2;

    public static DatasetBundle Split(DetectionSet set, long seed = 1) => DataSplit.HoldOutTest(ToDataset(set), TestFraction, DatasetLoader.Detection, seed);

    /// <summary>Every image is labelled with its most frequent class (0 when it has no object), only so that splits keep the classes' mix.</summary>
    public static ImageDataset ToDataset(DetectionSet set)
    {
        var labels = new int[set.Count];
        var counts = new int[set.Classes.Count];
        for (int n = 0; n < set.Count; n++)
        {
            Array.Clear(counts);
            foreach (var b in set.Boxes[n]) counts[b.Class]++;
            labels[n] = set.Boxes[n].Length == 0 ? 0 : Array.IndexOf(counts, counts.Max());
        }
        return new ImageDataset(set.Pixels, labels, set.Classes, set.Channels, set.Height, set.Width, boxes: set.Boxes);
    }
}
