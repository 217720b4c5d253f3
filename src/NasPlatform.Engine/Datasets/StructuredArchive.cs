using System.IO.Compression;

namespace NasPlatform.Engine.Datasets;

/// <summary>
/// What a zipped dataset of named parts may hold (segmentation's classes.json, images/ and masks/; detection's annotations, images/
/// and labels/): top-level files and one level of named folders, at the top of the archive or inside one wrapper folder.
/// </summary>
/// <param name="Kind">How messages name the dataset, e.g. "a segmentation dataset".</param>
/// <param name="IsTopFile">Which top-level file names belong to it.</param>
/// <param name="Folders">Its folders; each holds files only.</param>
/// <param name="Expected">The layout, for messages.</param>
public sealed record StructuredArchive(string Kind, Func<string, bool> IsTopFile, IReadOnlyList<string> Folders, string Expected)
{
    /// <summary>Each file entry with its path inside the dataset; throws on the first bad name (links, escaping paths, duplicates, nested archives, stray entries).</summary>
    public IReadOnlyList<(ZipArchiveEntry Entry, string Path)> Scan(ZipArchive archive, string archiveName)
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
        int skip = entries.All(e => e.Segments.Length > 1 && e.Segments[0] == first) && !Folders.Contains(first) ? 1 : 0;
        var files = new List<(ZipArchiveEntry, string)>();
        foreach (var (entry, segments) in entries)
        {
            var inner = segments[skip..];
            bool ok = inner.Length == 1 ? IsTopFile(inner[0]) : inner.Length == 2 && Folders.Contains(inner[0]);
            if (!ok)
                throw new DatasetFormatException($"{archiveName}: entry '{ZipEntryScanner.Show(entry.FullName)}' is not part of {Kind} "
                    + $"(expected {Expected}, optionally inside one wrapper folder).");
            files.Add((entry, string.Join('/', inner)));
        }
        return files;
    }

    /// <summary>Extracts the checked dataset into <paramref name="folder"/> (which must exist and be empty), capping expanded size and ratio.</summary>
    public void ExtractTo(string zipPath, string folder, DatasetLimits? limits = null)
    {
        limits ??= DatasetLimits.Default;
        var archiveName = Path.GetFileName(zipPath);
        using var archive = ArchiveExtractor.OpenZip(zipPath);
        var files = Scan(archive, archiveName);
        // Only the folders the archive has: a reader may tell formats apart by which exist (YOLO's labels/).
        foreach (var part in Folders.Where(p => files.Any(f => f.Path.StartsWith(p + "/", StringComparison.Ordinal))))
            Directory.CreateDirectory(Path.Combine(folder, part));
        long total = 0;
        foreach (var (entry, path) in files) ArchiveExtractor.Copy(entry, Path.Combine(folder, path), archiveName, limits, ref total);
    }
}
