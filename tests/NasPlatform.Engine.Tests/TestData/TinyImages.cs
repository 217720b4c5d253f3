using System.Buffers.Binary;
using System.IO.Compression;
using NasPlatform.Engine.Common;
using NasPlatform.Engine.Datasets;

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
        WriteIdx(Path.Combine(folder, "train-images-idx3-ubyte"), train, images: true, gzip);
        WriteIdx(Path.Combine(folder, "train-labels-idx1-ubyte"), train, images: false, gzip);
        WriteIdx(Path.Combine(folder, "t10k-images-idx3-ubyte"), test, images: true, gzip);
        WriteIdx(Path.Combine(folder, "t10k-labels-idx1-ubyte"), test, images: false, gzip);
        return folder;
    }

    private static void WriteIdx(string path, ImageDataset data, bool images, bool gzip)
    {
        using var file = File.Create(gzip ? path + ".gz" : path);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        var header = new byte[images ? 16 : 8];
        BinaryPrimitives.WriteInt32BigEndian(header, images ? 0x803 : 0x801);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), data.Count);
        if (images)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), data.Height);
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), data.Width);
        }
        stream.Write(header);
        if (images) stream.Write(data.Pixels);
        else stream.Write(data.Labels.Select(l => (byte)l).ToArray());
    }
}

/// <summary>A temporary folder removed when disposed.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "nasplatform-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
