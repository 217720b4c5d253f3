using System.IO.Compression;

namespace NasPlatform.Engine.Datasets.Segmentation;

/// <summary>
/// A zipped segmentation dataset: classes.json, images/ and masks/ at the top of the archive or inside one wrapper folder.
/// Entry names are checked as for every upload (no links, escaping paths, duplicates or nested archives) before anything
/// is extracted; extraction keeps the three parts and caps expanded size and compression ratio while it reads.
/// </summary>
public static class SegmentationArchive
{
    public static StructuredArchive Layout { get; } = new("a segmentation dataset", name => name == SegmentationReader.ClassesFile,
        [SegmentationReader.ImagesFolder, SegmentationReader.MasksFolder],
        $"{SegmentationReader.ClassesFile}, {SegmentationReader.ImagesFolder}/NAME and {SegmentationReader.MasksFolder}/NAME.png");

    /// <summary>Whether the archive's names look like a segmentation dataset (a classes.json and files under images/ and masks/).</summary>
    public static bool Looks(ZipArchive archive)
    {
        var names = archive.Entries.Select(e => e.FullName.Replace('\\', '/')).ToList();
        bool Has(string part) => names.Any(n => n.StartsWith(part, StringComparison.Ordinal) || n.Contains("/" + part, StringComparison.Ordinal));
        return Has(SegmentationReader.ImagesFolder + "/") && Has(SegmentationReader.MasksFolder + "/")
               && names.Any(n => Path.GetFileName(n) == SegmentationReader.ClassesFile);
    }

    /// <summary>Each file entry with its path inside the dataset (classes.json, images/NAME or masks/NAME); throws on the first bad name.</summary>
    public static IReadOnlyList<(ZipArchiveEntry Entry, string Path)> Scan(ZipArchive archive, string archiveName) => Layout.Scan(archive, archiveName);

    /// <summary>Extracts the checked dataset into <paramref name="folder"/> (which must exist and be empty), ready for <see cref="SegmentationReader"/>.</summary>
    public static void ExtractTo(string zipPath, string folder, DatasetLimits? limits = null) => Layout.ExtractTo(zipPath, folder, limits);
}
