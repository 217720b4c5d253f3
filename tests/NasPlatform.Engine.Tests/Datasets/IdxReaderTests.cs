using NasPlatform.Engine.Datasets;
using static NasPlatform.Engine.Tests.Datasets.DatasetTestData;

namespace NasPlatform.Engine.Tests.Datasets;

public class IdxReaderTests
{
    private static DatasetFormatException Fails(TempDir dir, DatasetLimits? limits = null) =>
        Assert.Throws<DatasetFormatException>(() => IdxReader.ReadFolder(dir.Root, limits));

    [Fact]
    public void Idx_PlainFolder_ReadsShapesLabelsAndPixelsExactly()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        var bundle = IdxReader.ReadFolder(dir.Root);

        Assert.Equal("idx", bundle.Format);
        Assert.Equal((3, 1, 2, 3), (bundle.Train.Count, bundle.Train.Channels, bundle.Train.Height, bundle.Train.Width));
        Assert.Equal(2, bundle.Test.Count);
        Assert.Equal([0, 2, 1], bundle.Train.Labels);
        Assert.Equal([1, 0], bundle.Test.Labels);
        Assert.Equal(["0", "1", "2"], bundle.Train.ClassNames);
        Assert.Equal(Enumerable.Range(0, 6).Select(p => (byte)(20 + p)), bundle.Train.Image(2).ToArray());
        Assert.Equal(Enumerable.Range(0, 6).Select(p => (byte)(210 + p)), bundle.Test.Image(1).ToArray());
    }

    [Fact]
    public void Idx_GzippedFolder_ReadsSamePixels()
    {
        using var plain = new TempDir();
        using var zipped = new TempDir();
        WriteIdxFolder(plain);
        WriteIdxFolder(zipped, gzip: true);
        var a = IdxReader.ReadFolder(plain.Root);
        var b = IdxReader.ReadFolder(zipped.Root);
        Assert.Equal(a.Train.Pixels, b.Train.Pixels);
        Assert.Equal(a.Test.Labels, b.Test.Labels);
    }

    [Fact]
    public void Idx_GzipDetectedByMagicNotExtension()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        // Gzipped content without .gz, and plain content named .gz.
        dir.Write("train-images-idx3-ubyte", Gzip(File.ReadAllBytes(Path.Combine(dir.Root, "train-images-idx3-ubyte"))));
        File.Move(Path.Combine(dir.Root, "train-labels-idx1-ubyte"), Path.Combine(dir.Root, "train-labels-idx1-ubyte.gz"));
        var bundle = IdxReader.ReadFolder(dir.Root);
        Assert.Equal(3, bundle.Train.Count);
        Assert.Equal((byte)25, bundle.Train.Image(2)[5]);
    }

    [Fact]
    public void Idx_DottedFileNames_Accepted()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir, separator: ".");
        Assert.Equal(3, IdxReader.ReadFolder(dir.Root).Train.Count);
    }

    [Fact]
    public void Idx_FashionFolder_UsesFashionClassNames()
    {
        using var dir = new TempDir("Fashion-MNIST");
        WriteIdxFolder(dir);
        var names = IdxReader.ReadFolder(dir.Root).Train.ClassNames;
        Assert.Equal(10, names.Count);
        Assert.Equal("T-shirt/top", names[0]);
        Assert.Equal("Ankle boot", names[9]);
    }

    [Fact]
    public void Idx_AllLabelsZero_StillHasTwoClasses()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        dir.Write("train-labels-idx1-ubyte", IdxLabels(0, 0, 0));
        dir.Write("t10k-labels-idx1-ubyte", IdxLabels(0, 0));
        Assert.Equal(["0", "1"], IdxReader.ReadFolder(dir.Root).Train.ClassNames);
    }

    [Fact]
    public void Idx_NonSeekableGzipStream_ReadsImagesAndLabels()
    {
        var bytes = Gzip(IdxImages(4, 5, 5, (i, p) => (byte)(i + p)));
        var images = IdxReader.ReadImages(new NonSeekableStream(new MemoryStream(bytes)), "upload/images");
        var labels = IdxReader.ReadLabels(new NonSeekableStream(new MemoryStream(IdxLabels(3, 1, 4, 1))), "upload/labels");
        Assert.Equal((4, 5, 5), (images.Count, images.Height, images.Width));
        Assert.Equal((byte)(3 + 24), images.Pixels[3 * 25 + 24]);
        Assert.Equal([3, 1, 4, 1], labels.Labels);
    }

    [Fact]
    public void Idx_WrongMagic_ThrowsNamingFileAndMagic()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        dir.Write("train-images-idx3-ubyte", IdxLabels(1, 2, 3));
        var e = Fails(dir);
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains("wrong magic number 0x00000801", e.Message);
    }

    [Fact]
    public void Idx_TruncatedImages_ThrowsNamingTruncation()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        var full = IdxImages(3, 2, 3, (i, p) => 1);
        dir.Write("train-images-idx3-ubyte", full[..^5]);
        var e = Fails(dir);
        Assert.Contains("train-images-idx3-ubyte: truncated: expected 18 bytes of image data, found 13", e.Message);
    }

    [Fact]
    public void Idx_TruncatedGzippedImages_ThrowsNamingTruncation()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        dir.Write("train-images-idx3-ubyte", Gzip(IdxImages(3, 2, 3, (i, p) => 1)[..^5]));
        Assert.Contains("truncated: expected 18 bytes of image data, found 13", Fails(dir).Message);
    }

    [Fact]
    public void Idx_TruncatedHeader_ThrowsNamingTruncation()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        dir.Write("t10k-labels-idx1-ubyte", [0, 0, 8, 1, 0]);
        Assert.Contains("t10k-labels-idx1-ubyte: truncated", Fails(dir).Message);
    }

    [Fact]
    public void Idx_DataAfterDeclaredImages_Throws()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        dir.Write("train-images-idx3-ubyte", IdxImages(3, 2, 3, (i, p) => 1, declaredCount: 2));
        Assert.Contains("does not match", Fails(dir).Message);
    }

    [Fact]
    public void Idx_ImageLabelCountMismatch_ThrowsNamingBothFilesAndCounts()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        dir.Write("t10k-labels-idx1-ubyte", IdxLabels(1, 0, 1));
        var e = Fails(dir);
        Assert.Contains("t10k-images-idx3-ubyte holds 2 images", e.Message);
        Assert.Contains("t10k-labels-idx1-ubyte holds 3 labels", e.Message);
    }

    [Fact]
    public void Idx_AbsurdImageCount_ThrowsBeforeAllocating()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        dir.Write("train-images-idx3-ubyte", IdxHeader(0x803, 1u << 31, 28, 28));
        Assert.Contains($"declares {1u << 31} images, more than the limit", Fails(dir).Message);
    }

    [Fact]
    public void Idx_AbsurdImageSize_ThrowsBeforeAllocating()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        dir.Write("train-images-idx3-ubyte", IdxHeader(0x803, 3, 100_000, 100_000));
        Assert.Contains("declares images of 100000x100000 pixels", Fails(dir).Message);
    }

    [Fact]
    public void Idx_TotalPixelBytesOverLimit_Throws()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        dir.Write("train-images-idx3-ubyte", IdxHeader(0x803, 60_000, 8000, 8000));
        Assert.Contains("more than the limit", Fails(dir).Message);
    }

    [Fact]
    public void Idx_AbsurdLabelCount_Throws()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        dir.Write("train-labels-idx1-ubyte", IdxHeader(0x801, uint.MaxValue));
        var e = Fails(dir);
        Assert.Contains("train-labels-idx1-ubyte", e.Message);
        Assert.Contains($"declares {uint.MaxValue} labels", e.Message);
    }

    [Fact]
    public void Idx_LabelOutOfRangeForKnownClasses_Throws()
    {
        using var dir = new TempDir("fashion");
        WriteIdxFolder(dir);
        dir.Write("train-labels-idx1-ubyte", IdxLabels(0, 12, 1));
        Assert.Contains("train-labels-idx1-ubyte: label 12 at index 1 is out of range for 10 classes", Fails(dir).Message);
    }

    [Fact]
    public void Idx_GzipBomb_ThrowsAtExpandedCap()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        dir.Write("train-images-idx3-ubyte.gz", Gzip(IdxImages(1000, 28, 28, (i, p) => 0)));
        File.Delete(Path.Combine(dir.Root, "train-images-idx3-ubyte"));
        var e = Fails(dir, new DatasetLimits { MaxExpandedBytes = 100_000 });
        Assert.Contains("train-images-idx3-ubyte.gz: decompresses to more than 100000 bytes", e.Message);
    }

    [Fact]
    public void Idx_GzipBomb_IsStoppedByItsRatio_BeforeTheSizeCap()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        dir.Write("train-images-idx3-ubyte.gz", Gzip(IdxImages(8000, 28, 28, (i, p) => 0), System.IO.Compression.CompressionLevel.SmallestSize));
        File.Delete(Path.Combine(dir.Root, "train-images-idx3-ubyte"));
        var e = Fails(dir);
        Assert.Contains("train-images-idx3-ubyte.gz: expands more than 200 times its compressed size", e.Message);
    }

    [Fact]
    public void Idx_MissingFiles_ListsThem()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        File.Delete(Path.Combine(dir.Root, "t10k-images-idx3-ubyte"));
        File.Delete(Path.Combine(dir.Root, "train-labels-idx1-ubyte"));
        var e = Fails(dir);
        Assert.Contains("missing train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz]", e.Message);
    }
}
