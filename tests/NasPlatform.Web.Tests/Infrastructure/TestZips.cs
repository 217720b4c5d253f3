using System.IO.Compression;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Tests.Datasets;
using NasPlatform.Engine.Tests.TestData;
using SkiaSharp;

namespace NasPlatform.Web.Tests.Infrastructure;

/// <summary>Zip uploads built in memory: good tiny datasets and every kind of bad one.</summary>
public static class TestZips
{
    public sealed record Entry(string Name, byte[] Data, int? UnixMode = null, bool Store = false);

    public static byte[] Zip(IEnumerable<Entry> entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var e in entries)
            {
                var entry = zip.CreateEntry(e.Name, e.Store ? CompressionLevel.NoCompression : CompressionLevel.Optimal);
                if (e.UnixMode is { } mode) entry.ExternalAttributes = mode << 16;
                using var s = entry.Open();
                s.Write(e.Data);
            }
        return ms.ToArray();
    }

    /// <summary>A learnable grayscale IDX dataset (class k = bright square in cell k), 16x16 pixels.</summary>
    public static byte[] TinyIdx(int train = 150, int test = 45, int classes = 3, bool gzip = false) =>
        Zip(IdxEntries(TinyImages.Make(train, classes, 1, 16, 1), TinyImages.Make(test, classes, 1, 16, 2), gzip));

    public static List<Entry> IdxEntries(ImageDataset train, ImageDataset test, bool gzip = false)
    {
        byte[] Maybe(byte[] b) => gzip ? DatasetTestData.Gzip(b) : b;
        string Name(string n) => gzip ? n + ".gz" : n;
        return
        [
            new(Name("train-images-idx3-ubyte"), Maybe(IdxImages(train))),
            new(Name("train-labels-idx1-ubyte"), Maybe(DatasetTestData.IdxLabels(train.Labels))),
            new(Name("t10k-images-idx3-ubyte"), Maybe(IdxImages(test))),
            new(Name("t10k-labels-idx1-ubyte"), Maybe(DatasetTestData.IdxLabels(test.Labels))),
        ];
    }

    public static byte[] IdxImages(ImageDataset data) =>
        [.. DatasetTestData.IdxHeader(IdxReader.ImageMagic, (uint)data.Count, (uint)data.Height, (uint)data.Width), .. data.Pixels];

    /// <summary>A valid image-folder zip: classes of solid-colour 16x16 PNGs.</summary>
    public static byte[] ImageFolder(int classes = 2, int perClass = 6, string prefix = "") =>
        Zip(Enumerable.Range(0, classes).SelectMany(k => Enumerable.Range(0, perClass).Select(i =>
            new Entry($"{prefix}class{k}/{i}.png", DatasetTestData.SolidImage(16, 16, new SKColor((byte)(k * 90), 80, (byte)(i * 20)))))));

    /// <summary>
    /// A segmentation dataset (classes.json, images/, masks/) made by the demo generator from tiny items: <paramref name="count"/>
    /// grey canvases of <paramref name="size"/> pixels with background plus 3 classes; entries under <paramref name="prefix"/>.
    /// </summary>
    public static List<Entry> SegmentationEntries(int count = 40, int size = 24, string prefix = "")
    {
        var set = Engine.Datasets.Segmentation.SegmentationSynth.Make(TinyImages.Make(40, 3, 1, 16, seed: 1), count, size, seed: 3);
        var folder = Path.Combine(Path.GetTempPath(), "nas-seg-" + Guid.NewGuid().ToString("N"));
        try
        {
            Engine.Datasets.Segmentation.SegmentationSynth.Write(set, folder);
            return Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(f => new Entry(prefix + Path.GetRelativePath(folder, f).Replace('\\', '/'), File.ReadAllBytes(f))).ToList();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A COCO detection dataset (annotations.json and images/) made by the demo generator: <paramref name="count"/> grey canvases of
    /// <paramref name="size"/> pixels with 1-3 boxed items of 3 categories; with <paramref name="yolo"/>, the same as YOLO labels and classes.txt.</summary>
    public static List<Entry> DetectionEntries(int count = 40, int size = 32, string prefix = "", bool yolo = false)
    {
        var set = Engine.Datasets.Detection.DetectionSynth.Make(TinyImages.Make(40, 3, 1, 16, seed: 1), count, size, seed: 3);
        var folder = Path.Combine(Path.GetTempPath(), "nas-det-" + Guid.NewGuid().ToString("N"));
        try
        {
            Engine.Datasets.Detection.DetectionSynth.WriteCoco(set, folder);
            if (yolo)
            {
                File.Delete(Path.Combine(folder, "annotations.json"));
                Directory.CreateDirectory(Path.Combine(folder, "labels"));
                File.WriteAllLines(Path.Combine(folder, "classes.txt"), set.Classes);
                for (int n = 0; n < set.Count; n++)
                    File.WriteAllLines(Path.Combine(folder, "labels", Path.GetFileNameWithoutExtension(set.Names[n]) + ".txt"), set.Boxes[n].Select(b =>
                        string.Create(System.Globalization.CultureInfo.InvariantCulture,
                            $"{b.Class} {(b.X1 + b.X2) / 2 / size} {(b.Y1 + b.Y2) / 2 / size} {b.Width / size} {b.Height / size}")));
            }
            return Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(f => new Entry(prefix + Path.GetRelativePath(folder, f).Replace('\\', '/'), File.ReadAllBytes(f))).ToList();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public static Entry Png(string name, byte k = 0) => new(name, DatasetTestData.SolidImage(16, 16, new SKColor(k, 100, 50)));
}
