using System.IO.Compression;
using System.Text;

namespace NasPlatform.Engine.Datasets;

/// <summary>One image entry of an image-folder archive and the class folder it sits in.</summary>
internal sealed record ImageEntry(ZipArchiveEntry Entry, string Path, string ClassName);

/// <summary>
/// Checks every entry name of an image-folder archive before any byte is decompressed, and works out
/// the layout: class_name/image, optionally under one wrapper folder. Nothing is ever extracted to
/// disk, but names are still checked as if it were, so the archive is safe for any later tool too.
/// </summary>
internal static class ZipEntryScanner
{
    public static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".webp" };

    private static readonly HashSet<string> ArchiveExtensions = new(StringComparer.OrdinalIgnoreCase)
        { ".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".jar" };

    private static readonly HashSet<string> IgnorableFiles = new(StringComparer.OrdinalIgnoreCase) { ".DS_Store", "Thumbs.db", "desktop.ini" };

    private const int UnixFileTypeMask = 0xF000;
    private const int UnixSymlink = 0xA000;

    public static List<ImageEntry> Scan(ZipArchive archive, string archiveName, DatasetLimits limits)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var files = new List<(ZipArchiveEntry Entry, string[] Segments)>();
        foreach (var entry in archive.Entries)
        {
            var segments = SafeSegments(entry, archiveName, seen);
            if (segments is null) continue;
            string Fail(string problem) => $"{archiveName}: entry '{Show(entry.FullName)}' {problem}.";
            if (segments.Contains("__MACOSX") || IgnorableFiles.Contains(segments[^1])) continue;

            var ext = System.IO.Path.GetExtension(segments[^1]);
            if (ArchiveExtensions.Contains(ext))
                throw new DatasetFormatException(Fail("is a nested archive; put the images themselves in the zip"));
            if (!ImageExtensions.Contains(ext))
                throw new DatasetFormatException(Fail($"is not an image (accepted: {string.Join(", ", ImageExtensions)})"));
            if (segments.Length > 3)
                throw new DatasetFormatException(Fail("is nested too deep; expected class_name/image, optionally inside one wrapper folder"));
            if (segments.Length == 1)
                throw new DatasetFormatException(Fail("sits at the archive root; images must be inside a class folder"));
            files.Add((entry, segments));
            if (files.Count > limits.MaxImages)
                throw new DatasetFormatException($"{archiveName}: holds more than the limit of {limits.MaxImages} images.");
        }

        if (files.Count == 0)
            throw new DatasetFormatException($"{archiveName}: holds no images; expected class_name/image files ({string.Join(", ", ImageExtensions)}).");

        // Either every image is class/image, or every image is wrapper/class/image under the same wrapper.
        var deep = files.FirstOrDefault(f => f.Segments.Length == 3);
        if (deep.Entry is not null)
        {
            var wrapper = deep.Segments[0];
            var odd = files.FirstOrDefault(f => f.Segments.Length != 3 || f.Segments[0] != wrapper);
            if (odd.Entry is not null)
                throw new DatasetFormatException(
                    $"{archiveName}: entries '{Show(deep.Entry.FullName)}' and '{Show(odd.Entry.FullName)}' do not share one layout; " +
                    "expected class_name/image, optionally all inside one wrapper folder.");
        }

        var result = files.Select(f => new ImageEntry(f.Entry, string.Join('/', f.Segments), f.Segments[^2])).ToList();
        foreach (var className in result.Select(e => e.ClassName).Distinct())
            if (className.Any(char.IsControl))
                throw new DatasetFormatException($"{archiveName}: class folder name '{Show(className)}' contains a control character.");
        return result;
    }

    /// <summary>
    /// The path segments of an entry whose name is safe to extract (no link, absolute path, drive
    /// letter, NUL or '..', not seen before); null for a folder entry. Throws naming the problem.
    /// </summary>
    public static string[]? SafeSegments(ZipArchiveEntry entry, string archiveName, HashSet<string> seen)
    {
        string Fail(string problem) => $"{archiveName}: entry '{Show(entry.FullName)}' {problem}.";

        // Unix "version made by" keeps the st_mode in the high 16 bits of the external attributes.
        if (((entry.ExternalAttributes >> 16) & UnixFileTypeMask) == UnixSymlink)
            throw new DatasetFormatException(Fail("is a symbolic link; links are not accepted"));

        // Backslashes are separators for Windows tools, so "..\x" must be caught as "../x".
        var name = entry.FullName.Replace('\\', '/');
        if (name.StartsWith('/'))
            throw new DatasetFormatException(Fail("has an absolute path"));
        if (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0]))
            throw new DatasetFormatException(Fail("starts with a drive letter"));
        if (name.Any(c => c == '\0'))
            throw new DatasetFormatException(Fail("contains a NUL character"));
        var segments = name.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToArray();
        if (segments.Contains(".."))
            throw new DatasetFormatException(Fail("escapes the archive folder with '..'"));
        if (name.EndsWith('/') || segments.Length == 0) return null; // a folder entry
        if (!seen.Add(string.Join('/', segments)))
            throw new DatasetFormatException(Fail("appears more than once (duplicate name)"));
        return segments;
    }

    /// <summary>A name fit for an error message: control characters are escaped, very long names cut.</summary>
    public static string Show(string name)
    {
        var sb = new StringBuilder();
        foreach (var c in name.Length > 200 ? name[..200] + "..." : name)
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c);
        return sb.ToString();
    }
}
