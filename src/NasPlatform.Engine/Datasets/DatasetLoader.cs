using NasPlatform.Engine.Datasets.Detection;
using NasPlatform.Engine.Datasets.Segmentation;

namespace NasPlatform.Engine.Datasets;

/// <summary>Loads a dataset of any supported format from a path, detecting the format when none is given.</summary>
public static class DatasetLoader
{
    public const string Idx = "idx";
    public const string Cifar = "cifar";
    public const string ImageFolder = "imagefolder";
    public const string Segmentation = "segmentation";
    public const string Detection = "detection";

    public static IReadOnlyList<string> Formats { get; } = [Idx, Cifar, ImageFolder, Segmentation, Detection];

    private const string FormatHelp =
        "idx (a folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz), " +
        "cifar (a folder with the CIFAR-10 or CIFAR-100 binary batches), " +
        "imagefolder (a .zip of class_name/image files), " +
        "segmentation (a folder with images/, masks/ and classes.json), " +
        "detection (a folder with COCO's annotations.json and images/, or YOLO's images/, labels/ and classes.txt or data.yaml)";

    /// <param name="format">idx, cifar or imagefolder; null to detect it from the path.</param>
    /// <param name="options">Image-folder settings; its Limits also apply to the other formats.</param>
    public static DatasetBundle Load(string path, string? format = null, ImageFolderOptions? options = null)
    {
        var limits = options?.Limits ?? DatasetLimits.Default;
        format = format?.Trim().ToLowerInvariant() ?? DetectFormat(path);
        if (format == Segmentation) return SegmentationSplit.Split(SegmentationReader.Read(path, limits));
        if (format == Detection) return DetectionSplit.Split(ReadDetection(path, limits));
        return LabelChecks.EnsureLearnable(format switch
        {
            Idx => IdxReader.ReadFolder(path, limits),
            Cifar => CifarReader.ReadFolder(path, limits),
            ImageFolder => ImageFolderReader.Read(path, options),
            _ => throw new DatasetFormatException($"Unknown dataset format '{format}'. Accepted formats: {FormatHelp}."),
        });
    }

    /// <summary>A detection folder in either of its formats: YOLO when it has labels/, else COCO.</summary>
    public static DetectionSet ReadDetection(string path, DatasetLimits? limits = null) =>
        YoloReader.Looks(path) ? YoloReader.Read(path, limits) : CocoReader.Read(path, limits);

    /// <summary>The format of the dataset at <paramref name="path"/>, judged by its files' names.</summary>
    public static string DetectFormat(string path)
    {
        if (File.Exists(path))
        {
            if (path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) || StartsWithZipMagic(path)) return ImageFolder;
            throw new DatasetFormatException($"'{path}' is a file but not a .zip archive. Accepted formats: {FormatHelp}.");
        }
        if (!Directory.Exists(path)) throw new DatasetFormatException($"Dataset path '{path}' does not exist.");

        if (Directory.EnumerateFiles(path, "train-images*").Any()) return Idx;
        if (SegmentationReader.Looks(path)) return Segmentation;
        if (YoloReader.Looks(path) || CocoReader.Looks(path)) return Detection;
        if (CifarReader.ResolveFolder(path) is not null) return Cifar;
        throw new DatasetFormatException(
            $"Cannot tell the dataset format of folder '{path}': found no train-images* (idx) nor data_batch_*.bin / train.bin (cifar). " +
            $"Accepted formats: {FormatHelp}.");
    }

    private static bool StartsWithZipMagic(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic.SequenceEqual("PK\u0003\u0004"u8);
    }
}
