using System.IO.Compression;

namespace NasPlatform.Engine.Datasets.Segmentation;

/// <summary>
/// A zipped segmentation dataset: classes.json, images/ and masks/ at the top of the archive or inside one wrapper folder.
/// Entry names are checked as for every upload (no links, escaping paths, duplicates or nested archives) before anything
/// is extracted; extraction keeps the three parts and caps expanded size and compression ratio while it reads.
/// </summary>
public static class SegmentationArchive
{
    /// <summary>Whether the archive's names look like a segmentation dataset (a classes.json and files under images/ and masks/).</summary>
    public static bool Looks(ZipArchive archive)
    {
        var names = archive.Entries.Select(e => e.FullName.Replace('\\', '/')).ToList();
        bool Has(string part) => names.Any(n => n.StartsWith(part, StringComparison.Ordinal) || n.Contains("/" + part, StringComparison.Ordinal));
        return Has(SegmentationReader.ImagesFolder + "/") && Has(SegmentationReader.MasksFolder + "/")
               && names.Any(n => Path.GetFileName(n) == SegmentationReader.ClassesFile);
    }

    /// <summary>Each file entry with its path inside the dataset (classes.json, images/NAME or masks/NAME); throws on the first bad name.</summary>
    public static IReadOnlyList<(ZipArchiveEntry Entry, string Path)> Scan(ZipArchive archive, string archiveName)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = new List<(ZipArchiveEntry Entry, string[] Segments)>();
        foreach (var entry in archive.Entries)
        {
            var segments = ZipEntryScanner.SafeSegments(entry, archiveName, seen);
            if (segments is null || segments.Contains("__MACOSX") || segments[^1].StartsWith('.') || segments[^1] is "Thumbs.db" or "desktop.ini") continue;
            if (ArchiveExtractor.NestedArchiveExtensions.Contains(Path.GetExtension(segments[^1])))
                throw new DatasetFormatException($"{archiveName}: entry '{ZipEntryScanner.Show(entry.FullName)}' is a nested archive; put the dataset files themselves in the zip.");
            entries.Add((entry, segments));
        }
        if (entries.Count == 0) throw new DatasetFormatException($"{archiveName}: the archive holds no files.");
        // One wrapper folder: every entry under the same first folder, which is not one of the dataset's own parts.
        var first = entries[0].Segments[0];
        int skip = entries.All(e => e.Segments.Length > 1 && e.Segments[0] == first)
                   && first is not (SegmentationReader.ImagesFolder or SegmentationReader.MasksFolder) ? 1 : 0;
        var files = new List<(ZipArchiveEntry, string)>();
        foreach (var (entry, segments) in entries)
        {
            var inner = segments[skip..];
            bool ok = inner.Length == 1 ? inner[0] == SegmentationReader.ClassesFile
                : inner.Length == 2 && inner[0] is SegmentationReader.ImagesFolder or SegmentationReader.MasksFolder;
            if (!ok)
                throw new DatasetFormatException($"{archiveName}: entry '{ZipEntryScanner.Show(entry.FullName)}' is not part of a segmentation dataset "
                    + $"(expected {SegmentationReader.ClassesFile}, {SegmentationReader.ImagesFolder}/NAME and {SegmentationReader.MasksFolder}/NAME.png, optionally inside one wrapper folder).");
            files.Add((entry, string.Join('/', inner)));
        }
        return files;
    }

    /// <summary>Extracts the checked dataset into <paramref name="folder"/> (which must exist and be empty), ready for <see cref="SegmentationReader"/>.</summary>
    public static void ExtractTo(string zipPath, string folder, DatasetLimits? limits = null)
    {
        limits ??= DatasetLimits.Default;
        var archiveName = Path.GetFileName(zipPath);
        using var archive = ArchiveExtractor.OpenZip(zipPath);
        var files = Scan(archive, archiveName);
        Directory.CreateDirectory(Path.Combine(folder, SegmentationReader.ImagesFolder));
        Directory.CreateDirectory(Path.Combine(folder, SegmentationReader.MasksFolder));
        long total = 0;
        foreach (var (entry, path) in files) ArchiveExtractor.Copy(entry, Path.Combine(folder, path), archiveName, limits, ref total);
    }
}
