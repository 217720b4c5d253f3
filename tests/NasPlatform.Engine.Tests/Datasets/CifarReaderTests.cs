using NasPlatform.Engine.Datasets;
using static NasPlatform.Engine.Tests.Datasets.DatasetTestData;

namespace NasPlatform.Engine.Tests.Datasets;

public class CifarReaderTests
{
    private static void WriteCifar10(TempDir dir, string sub = "")
    {
        dir.Write(Path.Combine(sub, "data_batch_1.bin"), CifarRecords([3, 9], seed: 1));
        dir.Write(Path.Combine(sub, "data_batch_2.bin"), CifarRecords([0], seed: 2));
        dir.Write(Path.Combine(sub, "test_batch.bin"), CifarRecords([5, 6, 7], seed: 3));
    }

    [Fact]
    public void Cifar10_Folder_ReadsBatchesInOrderWithExactPixels()
    {
        using var dir = new TempDir();
        WriteCifar10(dir);
        var bundle = CifarReader.ReadFolder(dir.Root);

        Assert.Equal("cifar10", bundle.Format);
        Assert.Equal((3, 3, 32, 32), (bundle.Train.Count, bundle.Train.Channels, bundle.Train.Height, bundle.Train.Width));
        Assert.Equal([3, 9, 0], bundle.Train.Labels);
        Assert.Equal([5, 6, 7], bundle.Test.Labels);
        Assert.Equal("airplane", bundle.Train.ClassNames[0]);
        Assert.Equal(Enumerable.Range(0, 3072).Select(p => CifarPixel(1, 1, p)), bundle.Train.Image(1).ToArray());
        Assert.Equal(Enumerable.Range(0, 3072).Select(p => CifarPixel(2, 0, p)), bundle.Train.Image(2).ToArray());
        Assert.Equal(Enumerable.Range(0, 3072).Select(p => CifarPixel(3, 2, p)), bundle.Test.Image(2).ToArray());
    }

    [Fact]
    public void Cifar10_SingleSubfolderAndMetaNames_Accepted()
    {
        using var dir = new TempDir();
        WriteCifar10(dir, "cifar-10-batches-bin");
        dir.Write("cifar-10-batches-bin/batches.meta.txt",
            System.Text.Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Range(0, 10).Select(i => $"c{i}")) + "\n\n"));
        var bundle = CifarReader.ReadFolder(dir.Root);
        Assert.Equal(3, bundle.Train.Count);
        Assert.Equal("c9", bundle.Test.ClassNames[9]);
    }

    [Fact]
    public void Cifar100_UsesFineLabelsAndNamesFile()
    {
        using var dir = new TempDir();
        dir.Write("train.bin", CifarRecords([42, 99, 0], seed: 4, cifar100: true));
        dir.Write("test.bin", CifarRecords([17], seed: 5, cifar100: true));
        dir.Write("fine_label_names.txt", System.Text.Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Range(0, 100).Select(i => $"fine{i}"))));
        var bundle = CifarReader.ReadFolder(dir.Root);

        Assert.Equal("cifar100", bundle.Format);
        Assert.Equal([42, 99, 0], bundle.Train.Labels);
        Assert.Equal(100, bundle.Train.NumClasses);
        Assert.Equal("fine42", bundle.Train.ClassNames[42]);
        Assert.Equal(Enumerable.Range(0, 3072).Select(p => CifarPixel(4, 1, p)), bundle.Train.Image(1).ToArray());
    }

    [Fact]
    public void Cifar100_WithoutNamesFile_NamesAreNumbers()
    {
        using var dir = new TempDir();
        dir.Write("train.bin", CifarRecords([1], seed: 4, cifar100: true));
        dir.Write("test.bin", CifarRecords([2], seed: 5, cifar100: true));
        var names = CifarReader.ReadFolder(dir.Root).Train.ClassNames;
        Assert.Equal(("0", "99"), (names[0], names[99]));
    }

    [Fact]
    public void Cifar_TruncatedRecord_ThrowsNamingFile()
    {
        using var dir = new TempDir();
        WriteCifar10(dir);
        dir.Write("data_batch_2.bin", CifarRecords([1, 2], seed: 0)[..5000]);
        var e = Assert.Throws<DatasetFormatException>(() => CifarReader.ReadFolder(dir.Root));
        Assert.Contains("data_batch_2.bin: truncated: 5000 bytes is not a whole number of 3073-byte records", e.Message);
    }

    [Fact]
    public void Cifar_LabelOutOfRange_ThrowsNamingRecord()
    {
        using var dir = new TempDir();
        WriteCifar10(dir);
        dir.Write("test_batch.bin", CifarRecords([1, 10], seed: 0));
        var e = Assert.Throws<DatasetFormatException>(() => CifarReader.ReadFolder(dir.Root));
        Assert.Contains("test_batch.bin: record 1 has label 10, out of range for 10 classes", e.Message);
    }

    [Fact]
    public void Cifar_TooManyRecords_ThrowsBeforeReading()
    {
        using var dir = new TempDir();
        WriteCifar10(dir);
        dir.Write("data_batch_1.bin", CifarRecords([1, 2, 3], seed: 0));
        var e = Assert.Throws<DatasetFormatException>(() => CifarReader.ReadFolder(dir.Root, new DatasetLimits { MaxImages = 2 }));
        Assert.Contains("data_batch_1.bin: holds 3 records, more than the limit of 2", e.Message);
    }

    [Fact]
    public void Cifar_TrainingBatchesTogetherOverLimit_Throws()
    {
        using var dir = new TempDir();
        WriteCifar10(dir);
        var e = Assert.Throws<DatasetFormatException>(() => CifarReader.ReadFolder(dir.Root, new DatasetLimits { MaxImages = 2 }));
        Assert.Contains("training batches hold 3 images together, more than the limit", e.Message);
    }

    [Fact]
    public void Cifar_MissingTestBatch_ThrowsNamingIt()
    {
        using var dir = new TempDir();
        WriteCifar10(dir);
        File.Delete(Path.Combine(dir.Root, "test_batch.bin"));
        Assert.Contains("missing test_batch.bin", Assert.Throws<DatasetFormatException>(() => CifarReader.ReadFolder(dir.Root)).Message);
    }

    [Fact]
    public void Cifar_NoBatchFiles_ThrowsListingExpectedFiles()
    {
        using var dir = new TempDir();
        dir.Write("readme.txt", [1]);
        var e = Assert.Throws<DatasetFormatException>(() => CifarReader.ReadFolder(dir.Root));
        Assert.Contains("data_batch_1.bin", e.Message);
        Assert.Contains("train.bin", e.Message);
    }

    [Fact]
    public void Cifar_WrongNumberOfMetaNames_Throws()
    {
        using var dir = new TempDir();
        WriteCifar10(dir);
        dir.Write("batches.meta.txt", "a\nb\n"u8.ToArray());
        Assert.Contains("batches.meta.txt: lists 2 class names; expected 10",
            Assert.Throws<DatasetFormatException>(() => CifarReader.ReadFolder(dir.Root)).Message);
    }
}
