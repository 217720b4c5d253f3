using System.Buffers.Binary;
using System.IO.Compression;
using SkiaSharp;

namespace NasPlatform.Engine.Tests.Datasets;

/// <summary>A temporary folder deleted with everything in it when the test ends.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string? name = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "nas-ds-" + Guid.NewGuid().ToString("N"), name ?? "data");
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Write(string relative, byte[] bytes)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(Root)!, recursive: true);
}

/// <summary>Hand-made dataset bytes: IDX files, CIFAR records, encoded images and zips.</summary>
public static class DatasetTestData
{
    public static byte[] IdxImages(int count, int rows, int cols, Func<int, int, byte> pixel, uint? declaredCount = null)
    {
        var bytes = new byte[16 + count * rows * cols];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 0x803);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), declaredCount ?? (uint)count);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), (uint)rows);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(12), (uint)cols);
        for (int i = 0; i < count; i++)
            for (int p = 0; p < rows * cols; p++) bytes[16 + i * rows * cols + p] = pixel(i, p);
        return bytes;
    }

    public static byte[] IdxHeader(uint magic, params uint[] dims)
    {
        var bytes = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        return bytes;
    }

    public static byte[] IdxLabels(params int[] labels) =>
        [.. IdxHeader(0x801, (uint)labels.Length), .. labels.Select(l => (byte)l)];

    /// <param name="level">SmallestSize makes a real bomb: zeros shrink about 1000 times.</param>
    public static byte[] Gzip(byte[] data, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, level)) gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>Writes a standard MNIST-layout folder: 3 train images, 2 test images of 2x3.</summary>
    public static void WriteIdxFolder(TempDir dir, bool gzip = false, string separator = "-")
    {
        byte[] Maybe(byte[] b) => gzip ? Gzip(b) : b;
        string gz = gzip ? ".gz" : "";
        dir.Write($"train-images{separator}idx3-ubyte{gz}", Maybe(IdxImages(3, 2, 3, (i, p) => (byte)(i * 10 + p))));
        dir.Write($"train-labels{separator}idx1-ubyte{gz}", Maybe(IdxLabels(0, 2, 1)));
        dir.Write($"t10k-images{separator}idx3-ubyte{gz}", Maybe(IdxImages(2, 2, 3, (i, p) => (byte)(200 + i * 10 + p))));
        dir.Write($"t10k-labels{separator}idx1-ubyte{gz}", Maybe(IdxLabels(1, 0)));
    }

    /// <summary>CIFAR records whose pixels are (seed + record + position) mod 256.</summary>
    public static byte[] CifarRecords(int[] labels, int seed, bool cifar100 = false)
    {
        int record = cifar100 ? 3074 : 3073;
        var bytes = new byte[labels.Length * record];
        for (int i = 0; i < labels.Length; i++)
        {
            int at = i * record;
            if (cifar100) { bytes[at] = 7; bytes[at + 1] = (byte)labels[i]; }
            else bytes[at] = (byte)labels[i];
            for (int p = 0; p < 3072; p++) bytes[at + record - 3072 + p] = CifarPixel(seed, i, p);
        }
        return bytes;
    }

    public static byte CifarPixel(int seed, int record, int position) => (byte)(seed + record * 7 + position);

    public static byte[] SolidImage(int width, int height, SKColor color, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        bitmap.Erase(color);
        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }

    public static byte[] NoiseImage(int width, int height, int seed)
    {
        var rng = new Random(seed);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>A PNG whose header declares the given size; no pixel data follows (a few bytes claiming gigapixels).</summary>
    public static byte[] PngHeaderOnly(uint width, uint height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Optimal)) z.Write(new byte[64]);
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A,
            .. PngChunk("IHDR", ihdr), .. PngChunk("IDAT", idat.ToArray()), .. PngChunk("IEND", [])];
    }

    private static byte[] PngChunk(string type, byte[] data)
    {
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        typeBytes.CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32([.. typeBytes, .. data]));
        return chunk;
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>One zip entry; UnixMode, when set, goes into the high 16 bits of the external attributes.</summary>
    public sealed record Entry(string Name, byte[] Data, int? UnixMode = null);

    public static string WriteZip(TempDir dir, string fileName, IEnumerable<Entry> entries)
    {
        var path = Path.Combine(dir.Root, fileName);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var e in entries)
        {
            var entry = zip.CreateEntry(e.Name, CompressionLevel.Optimal);
            if (e.UnixMode is { } mode) entry.ExternalAttributes = mode << 16;
            using var s = entry.Open();
            s.Write(e.Data);
        }
        return path;
    }

    /// <summary>class/i.png entries of solid colours: every image of a class has the class's colour.</summary>
    public static List<Entry> ClassImages(string className, int count, SKColor color, string prefix = "", int size = 32) =>
        Enumerable.Range(0, count).Select(i => new Entry($"{prefix}{className}/{i}.png", SolidImage(size, size, color))).ToList();
}

/// <summary>A read-only view of a stream that cannot seek, like a zip entry or an HTTP body.</summary>
public sealed class NonSeekableStream(Stream inner) : Stream
{
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
