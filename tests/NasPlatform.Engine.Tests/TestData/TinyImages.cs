using NasPlatform.Engine.Common;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Tests.Datasets;

namespace NasPlatform.Engine.Tests.TestData;

/// <summary>
/// Small synthetic image sets that a network learns in a few dozen steps: class k has a bright
/// square in the k-th cell of a grid, plus noise.
/// </summary>
public static class TinyImages
{
    public static ImageDataset Make(int count, int classes, int channels, int size, long seed)
    {
        var random = new SeededRandom(seed);
        var pixels = new byte[count * channels * size * size];
        var labels = new int[count];
        int cells = (int)Math.Ceiling(Math.Sqrt(classes));
        int cell = size / cells;
        for (int n = 0; n < count; n++)
        {
            int label = n % classes;
            labels[n] = label;
            int cy = label / cells * cell, cx = label % cells * cell;
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        bool inside = y >= cy && y < cy + cell && x >= cx && x < cx + cell;
                        int v = (inside ? 200 : 30) + random.Next(-25, 26);
                        pixels[((n * channels + c) * size + y) * size + x] = (byte)Math.Clamp(v, 0, 255);
                    }
        }
        var names = Enumerable.Range(0, classes).Select(i => $"c{i}").ToArray();
        return new ImageDataset(pixels, labels, names, channels, size, size);
    }

    /// <summary>Writes the four standard IDX files (gzipped when asked) into a new folder.</summary>
    public static string WriteIdxFolder(string folder, ImageDataset train, ImageDataset test, bool gzip)
    {
        Directory.CreateDirectory(folder);
        void Write(string name, byte[] bytes) =>
            File.WriteAllBytes(Path.Combine(folder, gzip ? name + ".gz" : name), gzip ? DatasetTestData.Gzip(bytes) : bytes);
        Write("train-images-idx3-ubyte", Images(train));
        Write("train-labels-idx1-ubyte", DatasetTestData.IdxLabels(train.Labels));
        Write("t10k-images-idx3-ubyte", Images(test));
        Write("t10k-labels-idx1-ubyte", DatasetTestData.IdxLabels(test.Labels));
        return folder;
    }

    private static byte[] Images(ImageDataset data) =>
        [.. DatasetTestData.IdxHeader(0x803, (uint)data.Count, (uint)data.Height, (uint)data.Width), .. data.Pixels];
}
