using NasPlatform.Engine.Datasets;
using SkiaSharp;
using static NasPlatform.Engine.Tests.Datasets.DatasetTestData;

namespace NasPlatform.Engine.Tests.Datasets;

public class DatasetLoaderTests
{
    [Fact]
    public void Loader_DetectsIdxFolder()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir, gzip: true);
        Assert.Equal("idx", DatasetLoader.DetectFormat(dir.Root));
        Assert.Equal(3, DatasetLoader.Load(dir.Root).Train.Count);
    }

    [Fact]
    public void Loader_DetectsCifarFolderAndSubfolder()
    {
        using var dir = new TempDir();
        dir.Write("cifar-100-binary/train.bin", CifarRecords([1, 2], 0, cifar100: true));
        dir.Write("cifar-100-binary/test.bin", CifarRecords([2], 0, cifar100: true));
        Assert.Equal("cifar", DatasetLoader.DetectFormat(dir.Root));
        Assert.Equal("cifar100", DatasetLoader.Load(dir.Root).Format);
    }

    [Fact]
    public void Loader_DetectsZipAsImageFolder_AndPassesOptions()
    {
        using var dir = new TempDir();
        var zip = WriteZip(dir, "pets.zip", [.. ClassImages("a", 5, SKColors.Red, size: 8), .. ClassImages("b", 5, SKColors.Blue, size: 8)]);
        var bundle = DatasetLoader.Load(zip, null, new ImageFolderOptions { Width = 8, Height = 8, Channels = 1 });
        Assert.Equal(("imagefolder", 1, 8), (bundle.Format, bundle.Train.Channels, bundle.Train.Width));
    }

    [Fact]
    public void Loader_ExplicitFormat_IsUsed()
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        Assert.Contains("No CIFAR binary files", Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(dir.Root, "CIFAR")).Message);
        Assert.Equal("idx", DatasetLoader.Load(dir.Root, "idx").Format);
    }

    [Fact]
    public void Loader_UnknownFormat_ListsAcceptedFormats()
    {
        using var dir = new TempDir();
        var message = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(dir.Root, "parquet")).Message;
        Assert.Contains("Unknown dataset format 'parquet'", message);
        Assert.Contains("idx (", message);
        Assert.Contains("cifar (", message);
        Assert.Contains("imagefolder (", message);
    }

    [Fact]
    public void Loader_UnrecognisedFolder_SaysWhatItLookedFor()
    {
        using var dir = new TempDir();
        dir.Write("notes.txt", [1]);
        var message = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(dir.Root)).Message;
        Assert.Contains("Cannot tell the dataset format", message);
        Assert.Contains("train-images*", message);
    }

    [Theory]
    [InlineData(new[] { 255, 255, 255 }, new[] { 1, 0 }, "same label (label 255)")]
    [InlineData(new[] { 0, 2, 2 }, new[] { 1, 0 }, "labels the training part never uses (label 1: 1)")]
    public void Loader_RefusesLabelsNoClassifierCouldLearn(int[] trainLabels, int[] testLabels, string reason)
    {
        using var dir = new TempDir();
        WriteIdxFolder(dir);
        dir.Write("train-labels-idx1-ubyte", IdxLabels(trainLabels));
        dir.Write("t10k-labels-idx1-ubyte", IdxLabels(testLabels));
        Assert.Contains(reason, Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load(dir.Root)).Message);
    }

    [Fact]
    public void Loader_MissingPath_Throws()
    {
        var message = Assert.Throws<DatasetFormatException>(() => DatasetLoader.Load("/nonexistent/nas-data")).Message;
        Assert.Contains("does not exist", message);
    }
}
