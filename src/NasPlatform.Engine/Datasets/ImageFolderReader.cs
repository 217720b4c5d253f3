using System.IO.Compression;

namespace NasPlatform.Engine.Datasets;

/// <summary>
/// A zip of class_name/image files (optionally inside one wrapper folder) becomes a dataset: every
/// image is decoded and resized to one size, and a stratified share of each class is held out as the
/// test split. Entries are streamed one at a time; only the resized pixels are kept.
/// </summary>
public static class ImageFolderReader
{
    public static IReadOnlyCollection<string> ImageExtensions => ZipEntryScanner.ImageExtensions;

    public static DatasetBundle Read(string zipPath, ImageFolderOptions? options = null)
    {
        if (!File.Exists(zipPath)) throw new DatasetFormatException($"Image-folder archive '{zipPath}' does not exist.");
        using var stream = File.OpenRead(zipPath);
        return Read(stream, Path.GetFileName(zipPath), options);
    }

    /// <summary>Reads an archive from a stream (seekable streams avoid buffering the compressed archive). The stream is left open.</summary>
    public static DatasetBundle Read(Stream zipStream, string nameForErrors, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        options.Validate();
        var limits = options.Limits;
        var name = nameForErrors;

        ZipArchive archive;
        try { archive = new ZipArchive(zipStream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw new DatasetFormatException($"{name}: is not a readable zip archive ({e.Message}).", e); }

        using (archive)
        {
            var entries = ZipEntryScanner.Scan(archive, name, limits);
            var classNames = entries.Select(e => e.ClassName).Distinct().Order(StringComparer.Ordinal).ToList();
            CheckClasses(entries, classNames, name, options);

            // Sorting by path makes the split independent of the order a zip tool wrote the entries in.
            var byPath = Enumerable.Range(0, entries.Count).OrderBy(i => entries[i].Path, StringComparer.Ordinal).ToArray();
            var classIndex = classNames.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
            var labels = byPath.Select(i => classIndex[entries[i].ClassName]).ToArray();
            var isTest = DataSplit.StratifiedPick(labels, classNames.Count, n => TestCount(n, options.TestFraction), options.Seed);

            int imageSize = options.Channels * options.Height * options.Width;
            int testCount = isTest.Count(t => t);
            int trainCount = entries.Count - testCount;
            if ((long)Math.Max(trainCount, testCount) * imageSize > limits.PixelByteCap)
                throw new DatasetFormatException(
                    $"{name}: {entries.Count} images of {options.Channels}x{options.Height}x{options.Width} exceed the limit of {limits.PixelByteCap} pixel bytes.");

            var train = new SplitBuilder(trainCount, imageSize);
            var test = new SplitBuilder(testCount, imageSize);
            var slots = new (SplitBuilder Split, int Slot)[entries.Count];
            for (int k = 0; k < byPath.Length; k++)
                slots[byPath[k]] = isTest[k] ? (test, test.Add(labels[k])) : (train, train.Add(labels[k]));

            // Decoding in archive order reads the archive front to back once.
            long expandedTotal = 0;
            for (int i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                var bytes = ReadEntry(entry, name, limits, ref expandedTotal);
                var (split, slot) = slots[i];
                ImageDecoder.DecodeInto(bytes, $"{name}: entry '{ZipEntryScanner.Show(entry.Entry.FullName)}'",
                    options.Channels, options.Height, options.Width, limits.MaxSide, split.Pixels.AsSpan(slot * imageSize, imageSize));
            }

            return new DatasetBundle(
                new ImageDataset(train.Pixels, train.Labels, classNames, options.Channels, options.Height, options.Width),
                new ImageDataset(test.Pixels, test.Labels, classNames, options.Channels, options.Height, options.Width),
                "imagefolder");
        }
    }

    private static void CheckClasses(List<ImageEntry> entries, List<string> classNames, string name, ImageFolderOptions options)
    {
        if (classNames.Count < 2)
            throw new DatasetFormatException(
                $"{name}: found {classNames.Count} class folder ('{ZipEntryScanner.Show(classNames[0])}'); at least 2 classes are needed.");
        if (classNames.Count > options.Limits.MaxClasses)
            throw new DatasetFormatException($"{name}: found {classNames.Count} class folders, more than the limit of {options.Limits.MaxClasses}.");
        var small = entries.GroupBy(e => e.ClassName)
            .Where(g => g.Count() < options.MinImagesPerClass)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"'{ZipEntryScanner.Show(g.Key)}' has {g.Count()}")
            .ToList();
        if (small.Count > 0)
            throw new DatasetFormatException(
                $"{name}: too few images per class (at least {options.MinImagesPerClass} needed): {string.Join(", ", small.Take(10))}.");
    }

    /// <summary>At least one test image per class when any are asked for, and always at least one training image.</summary>
    private static int TestCount(int n, double fraction) =>
        fraction <= 0 || n < 2 ? 0 : Math.Clamp((int)Math.Round(n * fraction, MidpointRounding.AwayFromZero), 1, n - 1);

    private static byte[] ReadEntry(ImageEntry image, string archiveName, DatasetLimits limits, ref long expandedTotal)
    {
        var entry = image.Entry;
        string shown = $"{archiveName}: entry '{ZipEntryScanner.Show(entry.FullName)}'";
        long before = expandedTotal;
        long compressed = Math.Max(1, entry.CompressedLength);
        try
        {
            using var raw = entry.Open();
            using var counted = new CountingReadStream(raw, n =>
            {
                if (n > limits.MaxEntryBytes)
                    throw new DatasetFormatException($"{shown}: expands to more than {limits.MaxEntryBytes} bytes (per-entry limit); refusing a possible decompression bomb.");
                if (before + n > limits.MaxExpandedBytes)
                    throw new DatasetFormatException($"{shown}: the archive expands to more than {limits.MaxExpandedBytes} bytes in all (limit); refusing a possible decompression bomb.");
                if (n > limits.RatioCheckMinBytes && n > compressed * limits.MaxCompressionRatio)
                    throw new DatasetFormatException($"{shown}: expands more than {limits.MaxCompressionRatio} times its compressed size; refusing a possible decompression bomb.");
            });
            using var buffer = new MemoryStream();
            counted.CopyTo(buffer);
            expandedTotal = before + counted.BytesRead;
            return buffer.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException($"{shown}: cannot be decompressed ({e.Message}).", e);
        }
        catch (NotSupportedException e)
        {
            throw new DatasetFormatException($"{shown}: uses an unsupported zip feature ({e.Message}).", e);
        }
    }

    private sealed class SplitBuilder(int count, int imageSize)
    {
        public byte[] Pixels { get; } = new byte[(long)count * imageSize];
        public int[] Labels { get; } = new int[count];
        private int _next;

        public int Add(int label)
        {
            Labels[_next] = label;
            return _next++;
        }
    }
}
