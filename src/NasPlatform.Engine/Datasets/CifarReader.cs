using System.Globalization;

namespace NasPlatform.Engine.Datasets;

/// <summary>One CIFAR binary batch: images of 3x32x32 in CHW order and their (fine) labels.</summary>
public sealed record CifarBatch(byte[] Pixels, int[] Labels, string Source)
{
    public int Count => Labels.Length;
}

/// <summary>
/// The binary ("-bin") versions of CIFAR-10 (records: label byte + 3072 pixel bytes) and CIFAR-100
/// (records: coarse byte + fine byte + 3072 pixel bytes). The pixel bytes are already R, G, B planes
/// of 32x32, which is exactly the engine's CHW layout.
/// </summary>
public static class CifarReader
{
    public const int Side = 32;
    public const int ImageBytes = 3 * Side * Side;

    public static IReadOnlyList<string> Cifar10ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    private const string Expected =
        "data_batch_1.bin .. data_batch_5.bin and test_batch.bin (CIFAR-10 binary) or train.bin and test.bin (CIFAR-100 binary)";

    /// <summary>Reads CIFAR-10 or CIFAR-100 from the folder or from its single subfolder (e.g. cifar-10-batches-bin).</summary>
    public static DatasetBundle ReadFolder(string folder, DatasetLimits? limits = null)
    {
        limits ??= DatasetLimits.Default;
        limits.Validate();
        if (!Directory.Exists(folder)) throw new DatasetFormatException($"CIFAR dataset folder '{folder}' does not exist.");
        var dir = ResolveFolder(folder) ?? throw new DatasetFormatException(NotFoundMessage(folder));

        var trainBatches = DataBatches(dir);
        if (trainBatches.Count > 0)
        {
            var test = Path.Combine(dir, "test_batch.bin");
            if (!File.Exists(test))
                throw new DatasetFormatException($"CIFAR-10 folder '{dir}' is missing test_batch.bin (found {string.Join(", ", trainBatches.Select(Path.GetFileName))}).");
            var names = ReadNames(Path.Combine(dir, "batches.meta.txt"), 10) ?? Cifar10ClassNames;
            return Build(trainBatches, test, cifar100: false, names, limits);
        }

        var train100 = Path.Combine(dir, "train.bin");
        var test100 = Path.Combine(dir, "test.bin");
        var missing = new[] { train100, test100 }.Where(p => !File.Exists(p)).Select(Path.GetFileName).ToList();
        if (missing.Count > 0)
            throw new DatasetFormatException($"CIFAR-100 folder '{dir}' is missing {string.Join(" and ", missing)}.");
        var names100 = ReadNames(Path.Combine(dir, "fine_label_names.txt"), 100)
            ?? Enumerable.Range(0, 100).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
        return Build([train100], test100, cifar100: true, names100, limits);
    }

    /// <summary>The folder holding the batch files: the given one, or its only subfolder; null if neither.</summary>
    public static string? ResolveFolder(string folder)
    {
        if (HoldsBatches(folder)) return folder;
        var subs = Directory.GetDirectories(folder).Where(d => !Path.GetFileName(d).StartsWith("__MACOSX", StringComparison.Ordinal)).ToList();
        return subs.Count == 1 && HoldsBatches(subs[0]) ? subs[0] : null;
    }

    /// <summary>
    /// One batch file's records (plain or gzipped). Every label is checked against the class count,
    /// since the byte could hold up to 255. The stream is left open.
    /// </summary>
    public static CifarBatch ReadBatch(Stream stream, string nameForErrors, bool cifar100, DatasetLimits? limits = null)
    {
        limits ??= DatasetLimits.Default;
        limits.Validate();
        var name = nameForErrors;
        int record = cifar100 ? ImageBytes + 2 : ImageBytes + 1;
        int classes = cifar100 ? 100 : 10;
        long maxRecords = Math.Min(limits.MaxImages, limits.PixelByteCap / ImageBytes);
        long cap = maxRecords * record;

        using var data = StreamGuards.OpenMaybeGzip(stream, name, limits);
        if (data.KnownRemaining > cap)
            throw new DatasetFormatException($"{name}: holds {data.KnownRemaining / record} records, more than the limit of {maxRecords}.");
        var raw = StreamGuards.ReadUpTo(data, cap, name);
        if (raw.Length == cap && StreamGuards.HasMoreData(data))
            throw new DatasetFormatException($"{name}: holds more than the limit of {maxRecords} records.");
        if (raw.Length == 0) throw new DatasetFormatException($"{name}: is empty.");
        if (raw.Length % record != 0)
            throw new DatasetFormatException(
                $"{name}: truncated: {raw.Length} bytes is not a whole number of {record}-byte records " +
                $"({raw.Length / record} whole records and {raw.Length % record} bytes left over).");

        int count = raw.Length / record;
        var pixels = new byte[(long)count * ImageBytes];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int at = i * record;
            int label = raw[at + record - ImageBytes - 1]; // the fine label is the last byte before the pixels
            if (label >= classes)
                throw new DatasetFormatException($"{name}: record {i} has label {label}, out of range for {classes} classes.");
            labels[i] = label;
            raw.AsSpan(at + record - ImageBytes, ImageBytes).CopyTo(pixels.AsSpan(i * ImageBytes, ImageBytes));
        }
        return new CifarBatch(pixels, labels, name);
    }

    private static DatasetBundle Build(IReadOnlyList<string> trainFiles, string testFile, bool cifar100,
        IReadOnlyList<string> names, DatasetLimits limits)
    {
        var train = Concat(trainFiles.Select(f => ReadFile(f, cifar100, limits)).ToList(), limits);
        var test = ReadFile(testFile, cifar100, limits);
        return new DatasetBundle(
            new ImageDataset(train.Pixels, train.Labels, names, 3, Side, Side),
            new ImageDataset(test.Pixels, test.Labels, names, 3, Side, Side),
            cifar100 ? "cifar100" : "cifar10");
    }

    private static CifarBatch ReadFile(string path, bool cifar100, DatasetLimits limits)
    {
        using var stream = File.OpenRead(path);
        return ReadBatch(stream, Path.GetFileName(path), cifar100, limits);
    }

    private static CifarBatch Concat(IReadOnlyList<CifarBatch> batches, DatasetLimits limits)
    {
        if (batches.Count == 1) return batches[0];
        long total = batches.Sum(b => (long)b.Count);
        if (total > limits.MaxImages || total * ImageBytes > limits.PixelByteCap)
            throw new DatasetFormatException($"The CIFAR training batches hold {total} images together, more than the limit.");
        var pixels = new byte[total * ImageBytes];
        var labels = new int[total];
        int at = 0;
        foreach (var b in batches)
        {
            b.Pixels.CopyTo(pixels, (long)at * ImageBytes);
            b.Labels.CopyTo(labels, at);
            at += b.Count;
        }
        return new CifarBatch(pixels, labels, string.Join("+", batches.Select(b => b.Source)));
    }

    /// <summary>data_batch_N.bin files in numeric order (data_batch_10 after data_batch_9).</summary>
    private static List<string> DataBatches(string dir) =>
        Directory.EnumerateFiles(dir, "data_batch_*.bin")
            .Select(p => (Path: p, Number: int.TryParse(Path.GetFileNameWithoutExtension(p)["data_batch_".Length..],
                NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1))
            .Where(x => x.Number >= 0)
            .OrderBy(x => x.Number)
            .Select(x => x.Path)
            .ToList();

    private static bool HoldsBatches(string dir) =>
        DataBatches(dir).Count > 0 || File.Exists(Path.Combine(dir, "test_batch.bin")) || File.Exists(Path.Combine(dir, "train.bin"));

    private static IReadOnlyList<string>? ReadNames(string path, int expected)
    {
        if (!File.Exists(path)) return null;
        if (new FileInfo(path).Length > 1 << 20) throw new DatasetFormatException($"{Path.GetFileName(path)}: is too large for a list of class names.");
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (names.Count != expected)
            throw new DatasetFormatException($"{Path.GetFileName(path)}: lists {names.Count} class names; expected {expected}.");
        if (names.FirstOrDefault(n => n.Any(char.IsControl)) is { } bad)
            throw new DatasetFormatException($"{Path.GetFileName(path)}: class name '{bad}' contains a control character.");
        return names;
    }

    private static string NotFoundMessage(string folder)
    {
        // The python version unpacks to the same folder layout without .bin: say so rather than "not found".
        bool python = File.Exists(Path.Combine(folder, "data_batch_1")) || Directory.GetDirectories(folder)
            .Any(d => File.Exists(Path.Combine(d, "data_batch_1")) || File.Exists(Path.Combine(d, "train")));
        return python
            ? $"'{folder}' holds the Python (pickle) version of CIFAR; the binary version is needed: {Expected}."
            : $"No CIFAR binary files in '{folder}' or its single subfolder; expected {Expected}.";
    }
}
