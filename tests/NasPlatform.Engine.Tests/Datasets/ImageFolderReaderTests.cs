using NasPlatform.Engine.Datasets;
using SkiaSharp;
using static NasPlatform.Engine.Tests.Datasets.DatasetTestData;

namespace NasPlatform.Engine.Tests.Datasets;

public class ImageFolderReaderTests
{
    private static readonly SKColor Red = new(200, 10, 20), Green = new(5, 180, 40), Blue = new(30, 60, 250);

    [Fact]
    public void ImageFolder_ReadsSortedClassesWithExactPixelsAndStratifiedSplit()
    {
        using var dir = new TempDir();
        var zip = WriteZip(dir, "set.zip", [.. ClassImages("dog", 5, Red), .. ClassImages("cat", 6, Green), .. ClassImages("bird", 10, Blue)]);
        var bundle = ImageFolderReader.Read(zip);

        Assert.Equal("imagefolder", bundle.Format);
        Assert.Equal(["bird", "cat", "dog"], bundle.Train.ClassNames);
        Assert.Equal((3, 32, 32), (bundle.Train.Channels, bundle.Train.Height, bundle.Train.Width));
        Assert.Equal([2, 1, 1], bundle.Test.ClassCounts());
        Assert.Equal([8, 5, 4], bundle.Train.ClassCounts());
        foreach (var set in new[] { bundle.Train, bundle.Test })
            for (int i = 0; i < set.Count; i++)
            {
                var color = new[] { Blue, Green, Red }[set.Labels[i]];
                var image = set.Image(i);
                Assert.All(image[..1024].ToArray(), v => Assert.Equal(color.Red, v));
                Assert.All(image[1024..2048].ToArray(), v => Assert.Equal(color.Green, v));
                Assert.All(image[2048..].ToArray(), v => Assert.Equal(color.Blue, v));
            }
    }

    [Fact]
    public void ImageFolder_WrapperFolderAndMacMetadata_Accepted()
    {
        using var dir = new TempDir();
        var zip = WriteZip(dir, "set.zip",
        [
            new("mydata/", []), new("mydata/a/", []),
            .. ClassImages("a", 5, Red, "mydata/"), .. ClassImages("b", 5, Green, "mydata/"),
            new("__MACOSX/mydata/a/._0.png", [0, 1, 2]), new("mydata/.DS_Store", [0]), new("mydata/b/Thumbs.db", [0]),
        ]);
        var bundle = ImageFolderReader.Read(zip);
        Assert.Equal(["a", "b"], bundle.Train.ClassNames);
        Assert.Equal(10, bundle.Train.Count + bundle.Test.Count);
    }

    [Fact]
    public void ImageFolder_Grayscale_ResizesAndUsesLuminance()
    {
        using var dir = new TempDir();
        var images = new[] { ("light", Red), ("dark", Blue) }
            .SelectMany(c => Enumerable.Range(0, 5).Select(i => new Entry($"{c.Item1}/{i}.png", SolidImage(40 + i * 37, 20 + i * 11, c.Item2))));
        var zip = WriteZip(dir, "set.zip", images);
        var bundle = ImageFolderReader.Read(zip, new ImageFolderOptions { Width = 8, Height = 6, Channels = 1, TestFraction = 0 });

        Assert.Equal((10, 1, 6, 8), (bundle.Train.Count, bundle.Train.Channels, bundle.Train.Height, bundle.Train.Width));
        Assert.Equal(0, bundle.Test.Count);
        byte Luma(SKColor c) => (byte)((299 * c.Red + 587 * c.Green + 114 * c.Blue + 500) / 1000);
        for (int i = 0; i < bundle.Train.Count; i++)
        {
            var expected = bundle.Train.ClassNames[bundle.Train.Labels[i]] == "light" ? Luma(Red) : Luma(Blue);
            Assert.All(bundle.Train.Image(i).ToArray(), v => Assert.Equal(expected, v));
        }
    }

    [Fact]
    public void ImageFolder_JpegAndLargeNoisyImages_AreDecodedAndResized()
    {
        using var dir = new TempDir();
        var zip = WriteZip(dir, "set.zip",
        [
            .. Enumerable.Range(0, 5).Select(i => new Entry($"photo/{i}.jpg", SolidImage(64, 48, Green, SKEncodedImageFormat.Jpeg))),
            .. Enumerable.Range(0, 5).Select(i => new Entry($"noise/{i}.PNG", NoiseImage(300, 200, i))),
        ]);
        var bundle = ImageFolderReader.Read(zip, new ImageFolderOptions { Width = 16, Height = 16 });
        Assert.Equal(10, bundle.Train.Count + bundle.Test.Count);
        int photo = bundle.Train.Labels.ToList().IndexOf(1);
        Assert.InRange(bundle.Train.Image(photo)[300], Green.Green - 8, Green.Green + 8); // JPEG is lossy
    }

    /// <summary>Each image's red value identifies it, so the test split can be compared across seeds.</summary>
    private static string NumberedZip(TempDir dir) => WriteZip(dir, "set.zip",
        new[] { "x", "y" }.SelectMany((c, ci) => Enumerable.Range(0, 20)
            .Select(i => new Entry($"{c}/{i:D2}.png", SolidImage(4, 4, new SKColor((byte)(ci * 100 + i), 0, 0))))));

    private static byte[] TestIds(DatasetBundle b) => Enumerable.Range(0, b.Test.Count).Select(i => b.Test.Image(i)[0]).ToArray();

    [Fact]
    public void ImageFolder_Split_IsDeterministicDisjointAndSeedDependent()
    {
        using var dir = new TempDir();
        var zip = NumberedZip(dir);
        var options = new ImageFolderOptions { Width = 4, Height = 4, Seed = 1 };
        var a = ImageFolderReader.Read(zip, options);
        var b = ImageFolderReader.Read(zip, options);
        var c = ImageFolderReader.Read(zip, options with { Seed = 2 });

        Assert.Equal(TestIds(a), TestIds(b));
        Assert.NotEqual(TestIds(a), TestIds(c));
        Assert.Equal([4, 4], a.Test.ClassCounts());
        var trainIds = Enumerable.Range(0, a.Train.Count).Select(i => a.Train.Image(i)[0]);
        Assert.Empty(trainIds.Intersect(TestIds(a)));
        Assert.Equal(40, trainIds.Concat(TestIds(a)).Distinct().Count());
    }

    [Fact]
    public void ImageFolder_NonSeekableStream_Reads()
    {
        using var dir = new TempDir();
        var zip = WriteZip(dir, "set.zip", [.. ClassImages("a", 5, Red, size: 8), .. ClassImages("b", 5, Blue, size: 8)]);
        using var stream = new NonSeekableStream(File.OpenRead(zip));
        Assert.Equal(8, ImageFolderReader.Read(stream, "upload.zip").Train.Count);
    }
}
