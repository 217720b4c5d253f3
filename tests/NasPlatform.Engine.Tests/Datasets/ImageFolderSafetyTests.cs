using NasPlatform.Engine.Datasets;
using SkiaSharp;
using static NasPlatform.Engine.Tests.Datasets.DatasetTestData;

namespace NasPlatform.Engine.Tests.Datasets;

public class ImageFolderSafetyTests
{
    private static readonly byte[] Png = SolidImage(8, 8, SKColors.Orange);

    /// <summary>Two valid classes of 5 small images, plus the given entries.</summary>
    private static List<Entry> ValidPlus(params Entry[] extra) =>
    [
        .. ClassImages("cat", 5, SKColors.Orange, size: 8),
        .. ClassImages("dog", 5, SKColors.Brown, size: 8),
        .. extra,
    ];

    private static string Fails(IEnumerable<Entry> entries, ImageFolderOptions? options = null)
    {
        using var dir = new TempDir();
        var zip = WriteZip(dir, "upload.zip", entries);
        var e = Assert.Throws<DatasetFormatException>(() => ImageFolderReader.Read(zip, options));
        Assert.StartsWith("upload.zip", e.Message);
        return e.Message;
    }

    [Theory]
    [InlineData("../x.png")]
    [InlineData("cat/../../x.png")]
    [InlineData("cat\\..\\..\\x.png")]
    public void ImageFolder_ZipSlipEntry_ThrowsNamingEntry(string name)
    {
        var message = Fails(ValidPlus(new Entry(name, Png)));
        Assert.Contains($"entry '{name}' escapes the archive folder", message);
    }

    [Theory]
    [InlineData("/etc/x.png", "absolute path")]
    [InlineData("\\evil\\x.png", "absolute path")]
    [InlineData("C:/Windows/x.png", "drive letter")]
    [InlineData("c:x.png", "drive letter")]
    public void ImageFolder_AbsoluteEntry_ThrowsNamingEntry(string name, string problem)
    {
        var message = Fails(ValidPlus(new Entry(name, Png)));
        Assert.Contains($"entry '{name}'", message);
        Assert.Contains(problem, message);
    }

    [Fact]
    public void ImageFolder_SymlinkEntry_Throws()
    {
        var message = Fails(ValidPlus(new Entry("cat/link.png", "/etc/passwd"u8.ToArray(), UnixMode: 0xA1FF)));
        Assert.Contains("entry 'cat/link.png' is a symbolic link", message);
    }

    [Fact]
    public void ImageFolder_RegularUnixFileMode_IsAccepted()
    {
        using var dir = new TempDir();
        var zip = WriteZip(dir, "upload.zip", ValidPlus(new Entry("cat/extra.png", Png, UnixMode: 0x81A4)));
        Assert.Equal(11, ImageFolderReader.Read(zip).Train.Count + ImageFolderReader.Read(zip).Test.Count);
    }

    [Fact]
    public void ImageFolder_DuplicateEntryNames_Throws()
    {
        var message = Fails(ValidPlus(new Entry("cat/0.png", Png)));
        Assert.Contains("entry 'cat/0.png' appears more than once", message);
    }

    [Theory]
    [InlineData("cat/more.zip")]
    [InlineData("cat/more.tar.gz")]
    [InlineData("cat/more.7z")]
    [InlineData("cat/more.rar")]
    public void ImageFolder_NestedArchive_Throws(string name)
    {
        Assert.Contains($"entry '{name}' is a nested archive", Fails(ValidPlus(new Entry(name, [0x50, 0x4B, 3, 4]))));
    }

    [Fact]
    public void ImageFolder_TooDeepPath_Throws()
    {
        Assert.Contains("entry 'a/b/cat/x.png' is nested too deep", Fails(ValidPlus(new Entry("a/b/cat/x.png", Png))));
    }

    [Fact]
    public void ImageFolder_MixedWrapperLayout_Throws()
    {
        Assert.Contains("do not share one layout", Fails(ValidPlus(new Entry("wrap/cat/x.png", Png))));
    }

    [Fact]
    public void ImageFolder_NonImageFile_Throws()
    {
        Assert.Contains("entry 'cat/notes.txt' is not an image", Fails(ValidPlus(new Entry("cat/notes.txt", [65]))));
    }

    [Fact]
    public void ImageFolder_ImageAtRoot_Throws()
    {
        Assert.Contains("entry 'x.png' sits at the archive root", Fails(ValidPlus(new Entry("x.png", Png))));
    }

    [Fact]
    public void ImageFolder_EntryOfZerosOverEntryCap_ThrowsAsBomb()
    {
        var options = new ImageFolderOptions { Limits = new DatasetLimits { MaxEntryBytes = 64 * 1024 } };
        var message = Fails(ValidPlus(new Entry("cat/bomb.png", new byte[1 << 20])), options);
        Assert.Contains("entry 'cat/bomb.png': expands to more than 65536 bytes (per-entry limit)", message);
    }

    [Fact]
    public void ImageFolder_HighCompressionRatio_ThrowsAsBomb()
    {
        var message = Fails(ValidPlus(new Entry("dog/bomb.png", new byte[3 << 20])));
        Assert.Contains("entry 'dog/bomb.png': expands more than 200 times its compressed size", message);
    }

    [Fact]
    public void ImageFolder_TotalExpandedBytesOverCap_Throws()
    {
        var entries = new[] { "a", "b" }.SelectMany(c => Enumerable.Range(0, 5).Select(i => new Entry($"{c}/{i}.png", NoiseImage(32, 32, i))));
        var options = new ImageFolderOptions { Limits = new DatasetLimits { MaxExpandedBytes = 10_000 } };
        Assert.Contains("the archive expands to more than 10000 bytes in all", Fails(entries, options));
    }

    [Fact]
    public void ImageFolder_UndecodableImage_ThrowsNamingEntry()
    {
        var message = Fails(ValidPlus(new Entry("dog/broken.png", "this is not a png at all"u8.ToArray())));
        Assert.Contains("entry 'dog/broken.png': is not a decodable image", message);
    }

    [Fact]
    public void ImageFolder_AbsurdDimensions_ThrowBeforeDecoding()
    {
        var message = Fails(ValidPlus(new Entry("dog/huge.png", PngHeaderOnly(100_000, 100_000))));
        Assert.Contains("entry 'dog/huge.png': declares 100000x100000 pixels", message);
    }

    [Fact]
    public void ImageFolder_ImageLargerThanMaxSide_Throws()
    {
        var options = new ImageFolderOptions { Width = 4, Height = 4, Limits = new DatasetLimits { MaxSide = 6 } };
        Assert.Contains("declares 8x8 pixels; each side must be between 1 and 6", Fails(ValidPlus(), options));
    }

    [Fact]
    public void ImageFolder_SingleClass_Throws()
    {
        Assert.Contains("found 1 class folder ('cat'); at least 2 classes are needed", Fails(ClassImages("cat", 5, SKColors.Red, size: 8)));
    }

    [Fact]
    public void ImageFolder_TooFewImagesPerClass_ThrowsNamingClasses()
    {
        var message = Fails([.. ClassImages("cat", 5, SKColors.Red, size: 8), .. ClassImages("dog", 3, SKColors.Blue, size: 8), .. ClassImages("eel", 1, SKColors.Blue, size: 8)]);
        Assert.Contains("too few images per class (at least 5 needed): 'dog' has 3, 'eel' has 1", message);
    }

    [Fact]
    public void ImageFolder_ControlCharacterInClassName_Throws()
    {
        var message = Fails(ValidPlus([.. ClassImages("b\u0007ad", 5, SKColors.Red, size: 8)]));
        Assert.Contains("class folder name 'b\\u0007ad' contains a control character", message);
    }

    [Fact]
    public void ImageFolder_NotAZip_Throws()
    {
        using var dir = new TempDir();
        var path = dir.Write("upload.zip", "not a zip"u8.ToArray());
        Assert.Contains("upload.zip: is not a readable zip archive", Assert.Throws<DatasetFormatException>(() => ImageFolderReader.Read(path)).Message);
    }
}
