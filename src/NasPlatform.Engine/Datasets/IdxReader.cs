using System.Buffers.Binary;

namespace NasPlatform.Engine.Datasets;

/// <summary>Images from one IDX image file: <see cref="Count"/> grayscale images of Height x Width.</summary>
public sealed record IdxImages(byte[] Pixels, int Count, int Height, int Width, string Source);

/// <summary>Labels from one IDX label file.</summary>
public sealed record IdxLabels(int[] Labels, string Source);

/// <summary>
/// MNIST-style IDX files (uint8 images N x H x W, uint8 labels), plain or gzipped. Gzip is recognised
/// by its magic bytes, because downloads are often renamed or unpacked by browsers.
/// </summary>
public static class IdxReader
{
    public const uint ImageMagic = 0x00000803;
    public const uint LabelMagic = 0x00000801;

    public static IReadOnlyList<string> FashionMnistClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The file stems (before -idx3-ubyte / .idx3-ubyte and an optional .gz) of the four standard files.</summary>
    private static readonly (string Stem, string Kind)[] StandardFiles =
        [("train-images", "idx3"), ("train-labels", "idx1"), ("t10k-images", "idx3"), ("t10k-labels", "idx1")];

    /// <summary>Reads train-images/train-labels/t10k-images/t10k-labels (each plain or .gz) from a folder.</summary>
    public static DatasetBundle ReadFolder(string folder, DatasetLimits? limits = null)
    {
        limits ??= DatasetLimits.Default;
        limits.Validate();
        if (!Directory.Exists(folder)) throw new DatasetFormatException($"IDX dataset folder '{folder}' does not exist.");

        var present = Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>().ToList();
        var paths = new string?[StandardFiles.Length];
        var missing = new List<string>();
        for (int i = 0; i < StandardFiles.Length; i++)
        {
            var (stem, kind) = StandardFiles[i];
            var match = CandidateNames(stem, kind)
                .Select(c => present.FirstOrDefault(p => p.Equals(c, StringComparison.OrdinalIgnoreCase)))
                .FirstOrDefault(p => p is not null);
            if (match is null) missing.Add($"{stem}-{kind}-ubyte[.gz]");
            else paths[i] = Path.Combine(folder, match);
        }
        if (missing.Count > 0)
            throw new DatasetFormatException(
                $"IDX dataset folder '{folder}' is missing {string.Join(", ", missing)}" +
                $" (found: {(present.Count == 0 ? "no files" : string.Join(", ", present.Order(StringComparer.Ordinal).Take(20)))}).");

        var trainImages = ReadFile(paths[0]!, s => ReadImages(s, Path.GetFileName(paths[0]!), limits));
        var trainLabels = ReadFile(paths[1]!, s => ReadLabels(s, Path.GetFileName(paths[1]!), limits));
        var testImages = ReadFile(paths[2]!, s => ReadImages(s, Path.GetFileName(paths[2]!), limits));
        var testLabels = ReadFile(paths[3]!, s => ReadLabels(s, Path.GetFileName(paths[3]!), limits));

        // Fashion-MNIST ships in exactly MNIST's format; its folder name is the only hint to its class names.
        bool fashion = Path.GetFullPath(folder).Contains("fashion", StringComparison.OrdinalIgnoreCase);
        return Combine(trainImages, trainLabels, testImages, testLabels, fashion ? FashionMnistClassNames : null);
    }

    /// <summary>One IDX image file (magic 0x00000803), plain or gzipped. The stream is left open.</summary>
    public static IdxImages ReadImages(Stream stream, string nameForErrors, DatasetLimits? limits = null)
    {
        limits ??= DatasetLimits.Default;
        limits.Validate();
        var name = nameForErrors;
        using var data = StreamGuards.OpenMaybeGzip(stream, name, limits);
        var header = ReadHeader(data, name, 16, ImageMagic);
        uint count = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        uint rows = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(8));
        uint cols = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12));

        CheckCount(count, name, "images", limits);
        if (rows == 0 || cols == 0 || rows > limits.MaxSide || cols > limits.MaxSide)
            throw new DatasetFormatException(
                $"{name}: declares images of {rows}x{cols} pixels; each side must be between 1 and {limits.MaxSide}.");
        long expected = (long)count * rows * cols;
        if (expected > limits.PixelByteCap)
            throw new DatasetFormatException(
                $"{name}: declares {count} images of {rows}x{cols} = {expected} bytes, more than the limit of {limits.PixelByteCap}.");

        var pixels = StreamGuards.ReadUpTo(data, expected, name);
        if (pixels.LongLength < expected)
            throw new DatasetFormatException($"{name}: truncated: expected {expected} bytes of image data, found {pixels.LongLength}.");
        if (StreamGuards.HasMoreData(data))
            throw new DatasetFormatException(
                $"{name}: has data after the {count} images of {rows}x{cols} its header declares; the header does not match the file.");
        return new IdxImages(pixels, (int)count, (int)rows, (int)cols, name);
    }

    /// <summary>One IDX label file (magic 0x00000801), plain or gzipped. The stream is left open.</summary>
    public static IdxLabels ReadLabels(Stream stream, string nameForErrors, DatasetLimits? limits = null)
    {
        limits ??= DatasetLimits.Default;
        limits.Validate();
        var name = nameForErrors;
        using var data = StreamGuards.OpenMaybeGzip(stream, name, limits);
        var header = ReadHeader(data, name, 8, LabelMagic);
        uint count = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
        CheckCount(count, name, "labels", limits);

        var bytes = StreamGuards.ReadUpTo(data, count, name);
        if (bytes.Length < count)
            throw new DatasetFormatException($"{name}: truncated: expected {count} bytes of label data, found {bytes.Length}.");
        if (StreamGuards.HasMoreData(data))
            throw new DatasetFormatException($"{name}: has data after the {count} labels its header declares; the header does not match the file.");
        var labels = new int[count];
        for (int i = 0; i < labels.Length; i++) labels[i] = bytes[i];
        return new IdxLabels(labels, name);
    }

    /// <summary>
    /// Pairs images with labels. Without class names there are (max training label) + 1 classes (at
    /// least 2), named "0", "1", ...: a test label the training part never uses is out of range,
    /// since no model trained on it could predict that class.
    /// </summary>
    public static DatasetBundle Combine(IdxImages trainImages, IdxLabels trainLabels, IdxImages testImages, IdxLabels testLabels,
        IReadOnlyList<string>? classNames = null)
    {
        CheckPair(trainImages, trainLabels);
        CheckPair(testImages, testLabels);
        if (trainImages.Height != testImages.Height || trainImages.Width != testImages.Width)
            throw new DatasetFormatException(
                $"{trainImages.Source} holds {trainImages.Height}x{trainImages.Width} images but {testImages.Source} holds " +
                $"{testImages.Height}x{testImages.Width} images; both splits need the same size.");

        if (classNames is null)
        {
            int max = trainLabels.Labels.DefaultIfEmpty().Max();
            classNames = Enumerable.Range(0, Math.Max(2, max + 1)).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        }
        CheckRange(trainLabels, classNames.Count);
        CheckRange(testLabels, classNames.Count);

        return new DatasetBundle(
            new ImageDataset(trainImages.Pixels, trainLabels.Labels, classNames, 1, trainImages.Height, trainImages.Width),
            new ImageDataset(testImages.Pixels, testLabels.Labels, classNames, 1, testImages.Height, testImages.Width),
            "idx");
    }

    private static IEnumerable<string> CandidateNames(string stem, string kind)
    {
        foreach (var sep in new[] { "-", "." })
        {
            yield return $"{stem}{sep}{kind}-ubyte";
            yield return $"{stem}{sep}{kind}-ubyte.gz";
        }
    }

    private static T ReadFile<T>(string path, Func<Stream, T> read)
    {
        using var stream = File.OpenRead(path);
        return read(stream);
    }

    private static byte[] ReadHeader(CountingReadStream data, string name, int length, uint expectedMagic)
    {
        var header = new byte[length];
        int got;
        try { got = data.ReadAtLeast(header, length, throwOnEndOfStream: false); }
        catch (InvalidDataException e) { throw new DatasetFormatException($"{name}: corrupt gzip data ({e.Message}).", e); }
        if (got >= 4)
        {
            uint magic = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (magic != expectedMagic)
            {
                string what = magic switch
                {
                    ImageMagic => "an IDX image file",
                    LabelMagic => "an IDX label file",
                    _ => "not an IDX uint8 file",
                };
                string wanted = expectedMagic == ImageMagic ? "image" : "label";
                throw new DatasetFormatException(
                    $"{name}: wrong magic number 0x{magic:X8} ({what}); an IDX {wanted} file starts with 0x{expectedMagic:X8}.");
            }
        }
        if (got < length)
            throw new DatasetFormatException($"{name}: truncated: the IDX header needs {length} bytes, found {got}.");
        return header;
    }

    private static void CheckCount(uint count, string name, string what, DatasetLimits limits)
    {
        if (count == 0) throw new DatasetFormatException($"{name}: declares 0 {what}.");
        if (count > limits.MaxImages)
            throw new DatasetFormatException($"{name}: declares {count} {what}, more than the limit of {limits.MaxImages}.");
    }

    private static void CheckPair(IdxImages images, IdxLabels labels)
    {
        if (images.Count != labels.Labels.Length)
            throw new DatasetFormatException(
                $"{images.Source} holds {images.Count} images but {labels.Source} holds {labels.Labels.Length} labels; they must match.");
    }

    private static void CheckRange(IdxLabels labels, int classes)
    {
        for (int i = 0; i < labels.Labels.Length; i++)
            if (labels.Labels[i] >= classes)
                throw new DatasetFormatException(
                    $"{labels.Source}: label {labels.Labels[i]} at index {i} is out of range for {classes} classes.");
    }
}
