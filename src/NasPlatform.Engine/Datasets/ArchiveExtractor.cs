using System.IO.Compression;

namespace NasPlatform.Engine.Datasets;

/// <summary>
/// Zipped uploads of the file-based formats (IDX, CIFAR binary): the archive's entry names are
/// checked like an image-folder archive's (no links, no escaping paths, no duplicates, no nested
/// archives, at most one wrapper folder), then each file is streamed out with its expanded size and
/// compression ratio capped while it is read, never after.
/// </summary>
public static class ArchiveExtractor
{
    internal static readonly HashSet<string> NestedArchiveExtensions = new(StringComparer.OrdinalIgnoreCase)
        { ".zip", ".tar", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".jar" };

    /// <summary>The archive's file entries (folders and OS clutter left out), each name checked; throws on the first bad one.</summary>
    public static IReadOnlyList<(ZipArchiveEntry Entry, string FileName)> Scan(ZipArchive archive, string archiveName)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var files = new List<(ZipArchiveEntry, string)>();
        string? wrapper = null;
        foreach (var entry in archive.Entries)
        {
            var segments = ZipEntryScanner.SafeSegments(entry, archiveName, seen);
            if (segments is null) continue;
            string Fail(string problem) => $"{archiveName}: entry '{ZipEntryScanner.Show(entry.FullName)}' {problem}.";
            if (segments.Contains("__MACOSX") || segments[^1].StartsWith('.') || segments[^1] is "Thumbs.db" or "desktop.ini") continue;
            if (NestedArchiveExtensions.Contains(Path.GetExtension(segments[^1])))
                throw new DatasetFormatException(Fail("is a nested archive; put the dataset files themselves in the zip"));
            if (segments.Length > 2)
                throw new DatasetFormatException(Fail("is nested too deep; expected the dataset files at the top, optionally inside one wrapper folder"));
            if (segments.Length == 2)
            {
                wrapper ??= segments[0];
                if (segments[0] != wrapper)
                    throw new DatasetFormatException(Fail($"is in a second folder besides '{wrapper}'; use at most one wrapper folder"));
            }
            files.Add((entry, segments[^1]));
        }
        if (files.Count == 0) throw new DatasetFormatException($"{archiveName}: the archive holds no files.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (entry, file) in files)
            if (!names.Add(file)) throw new DatasetFormatException($"{archiveName}: file '{ZipEntryScanner.Show(file)}' appears twice.");
        return files;
    }

    /// <summary>Extracts the checked files flat into <paramref name="folder"/> (which must exist and be empty).</summary>
    public static void ExtractTo(string zipPath, string folder, DatasetLimits? limits = null)
    {
        limits ??= DatasetLimits.Default;
        var archiveName = Path.GetFileName(zipPath);
        using var archive = OpenZip(zipPath);
        var files = Scan(archive, archiveName);
        long total = 0;
        foreach (var (entry, file) in files) Copy(entry, Path.Combine(folder, file), archiveName, limits, ref total);
    }

    /// <summary>Streams one entry to <paramref name="target"/>, refusing it while it is read when the archive's expanded size
    /// (<paramref name="total"/> so far) or the entry's compression ratio passes the limits.</summary>
    internal static void Copy(ZipArchiveEntry entry, string target, string archiveName, DatasetLimits limits, ref long total)
    {
        var buffer = new byte[1 << 16];
        using var input = entry.Open();
        using var output = File.Create(target);
        long written = 0;
        try
        {
            int n;
            while ((n = input.Read(buffer)) > 0)
            {
                written += n;
                total += n;
                if (total > limits.MaxExpandedBytes)
                    throw new DatasetFormatException($"{archiveName}: expands to more than {limits.MaxExpandedBytes} bytes (limit); refusing a possible zip bomb.");
                if (written > limits.RatioCheckMinBytes && written > entry.CompressedLength * limits.MaxCompressionRatio)
                    throw new DatasetFormatException($"{archiveName}: entry '{ZipEntryScanner.Show(entry.FullName)}' expands more than {limits.MaxCompressionRatio}x; refusing a possible zip bomb.");
                output.Write(buffer, 0, n);
            }
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException($"{archiveName}: entry '{ZipEntryScanner.Show(entry.FullName)}' is corrupt ({e.Message}).", e);
        }
    }

    internal static ZipArchive OpenZip(string zipPath, string? displayName = null)
    {
        try
        {
            return ZipFile.OpenRead(zipPath);
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException($"{displayName ?? Path.GetFileName(zipPath)}: not a readable zip archive ({e.Message}).", e);
        }
    }
}
