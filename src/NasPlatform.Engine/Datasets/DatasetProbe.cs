using System.Buffers.Binary;
using System.IO.Compression;

namespace NasPlatform.Engine.Datasets;

/// <summary>
/// The quick look at an uploaded archive that can answer at once, before any decoding: is it a zip,
/// which format its names say it holds (and does that match the declared one), are all entry names
/// safe, and do IDX headers carry the right magic. Decoding the images comes later and can still fail.
/// </summary>
public static class DatasetProbe
{
    /// <summary>Returns the engine format (idx, cifar, segmentation, detection, imagefolder) of the zip at <paramref name="zipPath"/>.</summary>
    /// <param name="declared">The format the uploader named, or null to detect it.</param>
    /// <param name="displayName">What messages call the archive (default: its file name; a server's temporary copy means nothing to the user).</param>
    public static string Probe(string zipPath, string? declared, DatasetLimits? limits = null, string? displayName = null)
    {
        limits ??= DatasetLimits.Default;
        var name = displayName ?? Path.GetFileName(zipPath);
        using (var stream = File.OpenRead(zipPath))
        {
            Span<byte> magic = stackalloc byte[4];
            if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || !magic.SequenceEqual("PK\u0003\u0004"u8))
                throw new DatasetFormatException("The upload is not a zip archive. Upload one .zip: the four IDX files (idx-zip), the CIFAR binary batches (cifar), class_name/image folders (imagefolder-zip), classes.json with images/ and masks/ (segmentation-zip), or COCO annotations / YOLO labels with images/ (detection-zip).");
        }
        using var archive = ArchiveExtractor.OpenZip(zipPath, name);
        var fileNames = archive.Entries.Select(e => Path.GetFileName(e.FullName.Replace('\\', '/'))).Where(n => n.Length > 0).ToList();
        string detected =
            fileNames.Any(n => n.StartsWith("train-images", StringComparison.OrdinalIgnoreCase)) ? DatasetLoader.Idx
            : fileNames.Any(n => n.StartsWith("data_batch_", StringComparison.OrdinalIgnoreCase) || n.Equals("train.bin", StringComparison.OrdinalIgnoreCase)) ? DatasetLoader.Cifar
            : Segmentation.SegmentationArchive.Looks(archive) ? DatasetLoader.Segmentation
            : Detection.DetectionArchive.Looks(archive) ? DatasetLoader.Detection
            : DatasetLoader.ImageFolder;
        if (declared is not null && declared != detected)
            throw new DatasetFormatException($"The upload was declared as {declared} but the archive holds {Describe(detected)}.");

        if (detected == DatasetLoader.ImageFolder)
        {
            ZipEntryScanner.Scan(archive, name, limits);
            return detected;
        }
        if (detected == DatasetLoader.Segmentation)
        {
            Segmentation.SegmentationArchive.Scan(archive, name);
            return detected;
        }
        if (detected == DatasetLoader.Detection)
        {
            Detection.DetectionArchive.Layout.Scan(archive, name);
            return detected;
        }
        var files = ArchiveExtractor.Scan(archive, name);
        if (detected == DatasetLoader.Idx)
            foreach (var (entry, file) in files)
                CheckIdxMagic(entry, file, limits);
        return detected;
    }

    private static void CheckIdxMagic(ZipArchiveEntry entry, string file, DatasetLimits limits)
    {
        uint expected = file.Contains("images", StringComparison.OrdinalIgnoreCase) ? IdxReader.ImageMagic
            : file.Contains("labels", StringComparison.OrdinalIgnoreCase) ? IdxReader.LabelMagic : 0;
        if (expected == 0) return;
        try
        {
            using var raw = entry.Open();
            using var data = StreamGuards.OpenMaybeGzip(raw, file, limits);
            Span<byte> header = stackalloc byte[4];
            if (data.ReadAtLeast(header, 4, throwOnEndOfStream: false) < 4)
                throw new DatasetFormatException($"{file}: too short to hold an IDX header.");
            uint magic = BinaryPrimitives.ReadUInt32BigEndian(header);
            if (magic != expected)
                throw new DatasetFormatException($"{file}: wrong IDX magic 0x{magic:X8} (expected 0x{expected:X8} for an {(expected == IdxReader.ImageMagic ? "image" : "label")} file).");
        }
        catch (InvalidDataException e)
        {
            throw new DatasetFormatException($"{file}: corrupt compressed data ({e.Message}).", e);
        }
    }

    private static string Describe(string format) => format switch
    {
        DatasetLoader.Idx => "IDX files (idx-zip)",
        DatasetLoader.Cifar => "CIFAR binary batches (cifar)",
        DatasetLoader.Segmentation => "a segmentation dataset: classes.json, images/ and masks/ (segmentation-zip)",
        DatasetLoader.Detection => "a detection dataset: COCO annotations or YOLO labels with images/ (detection-zip)",
        _ => "neither IDX files nor CIFAR batches, so it would be read as class_name/image folders (imagefolder-zip)",
    };
}
