using NasPlatform.Engine.Datasets;

namespace NasPlatform.Platform.Datasets;

/// <summary>The upload formats of the API (each one zip archive) and the engine readers behind them.</summary>
public static class DatasetFormats
{
    public const string IdxZip = "idx-zip";
    public const string Cifar = "cifar";
    public const string ImageFolderZip = "imagefolder-zip";
    public const string SegmentationZip = "segmentation-zip";
    public const string DetectionZip = "detection-zip";

    public static IReadOnlyList<string> All { get; } = [IdxZip, Cifar, ImageFolderZip, SegmentationZip, DetectionZip];

    public const string Rules =
        "Upload one .zip. idx-zip: the four standard IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, " +
        "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz). cifar: the CIFAR-10 or CIFAR-100 binary batches. " +
        "imagefolder-zip: class_name/image files (png, jpg, bmp, webp) with exactly one folder level, optionally inside one wrapper folder; " +
        "at least 2 classes with printable names and at least {0} images per class; 20% of each class is held out as the test part. " +
        "segmentation-zip: classes.json (class names, optionally colours), images/NAME (png, jpg, bmp, webp) and masks/NAME.png with one class index " +
        "per pixel (255: not scored), optionally inside one wrapper folder; 20% of the images are held out as the test part. " +
        "detection-zip: COCO (one annotations .json with images, annotations and categories, and images/NAME) or YOLO (images/NAME, " +
        "labels/NAME.txt with \"class cx cy width height\" fractions, and classes.txt or data.yaml), optionally inside one wrapper folder; " +
        "images are brought to the first image's size (at most 128 px a side) with their boxes; 20% are held out as the test part. " +
        "No links, nested archives, absolute or '..' paths, or duplicate names.";

    public static string ToEngine(string apiFormat) => apiFormat switch
    {
        IdxZip => DatasetLoader.Idx,
        Cifar => DatasetLoader.Cifar,
        ImageFolderZip => DatasetLoader.ImageFolder,
        SegmentationZip => DatasetLoader.Segmentation,
        DetectionZip => DatasetLoader.Detection,
        _ => throw new DatasetFormatException($"Unknown format '{apiFormat}': use {string.Join(", ", All)}, or leave it out to detect it."),
    };

    public static string FromEngine(string engineFormat) => engineFormat switch
    {
        DatasetLoader.Idx => IdxZip,
        DatasetLoader.Cifar => Cifar,
        DatasetLoader.Segmentation => SegmentationZip,
        DatasetLoader.Detection => DetectionZip,
        _ => ImageFolderZip,
    };
}
