using NasPlatform.Engine.Datasets;

namespace NasPlatform.Engine.Tests.Datasets;

public class DataSplitTests
{
    /// <summary>1x1x2 images whose two bytes spell the image's index, so subsets can be traced back.</summary>
    private static ImageDataset Numbered(params int[] perClass)
    {
        var labels = perClass.SelectMany((n, c) => Enumerable.Repeat(c, n)).ToArray();
        var pixels = labels.SelectMany((_, i) => new[] { (byte)(i & 0xFF), (byte)(i >> 8) }).ToArray();
        return new ImageDataset(pixels, labels, perClass.Select((_, c) => $"c{c}").ToList(), 1, 1, 2);
    }

    private static int[] Ids(ImageDataset d) => Enumerable.Range(0, d.Count).Select(i => d.Image(i)[0] | d.Image(i)[1] << 8).ToArray();

    [Fact]
    public void TrainValidation_IsDisjointCompleteAndStratified()
    {
        var data = Numbered(50, 30, 20);
        var (train, validation) = DataSplit.TrainValidation(data, 0.2, seed: 7);

        Assert.Empty(Ids(train).Intersect(Ids(validation)));
        Assert.Equal(Enumerable.Range(0, 100), Ids(train).Concat(Ids(validation)).Order());
        Assert.Equal([10, 6, 4], validation.ClassCounts());
        Assert.Equal([40, 24, 16], train.ClassCounts());
        Assert.All(Ids(train).Concat(Ids(validation)), id => Assert.Equal(data.Labels[id], id < 50 ? 0 : id < 80 ? 1 : 2));
    }

    [Fact]
    public void TrainValidation_SameSeedSameSplit_OtherSeedOtherSplit()
    {
        var data = Numbered(40, 40);
        var a = DataSplit.TrainValidation(data, 0.25, seed: 1);
        var b = DataSplit.TrainValidation(data, 0.25, seed: 1);
        var c = DataSplit.TrainValidation(data, 0.25, seed: 2);
        Assert.Equal(Ids(a.Validation), Ids(b.Validation));
        Assert.NotEqual(Ids(a.Validation), Ids(c.Validation));
    }

    [Fact]
    public void TrainValidation_EveryClassKeepsATrainingImage()
    {
        var (train, validation) = DataSplit.TrainValidation(Numbered(2, 1, 10), 0.9, seed: 3);
        Assert.Equal([1, 1, 1], train.ClassCounts());
        Assert.Equal([1, 0, 9], validation.ClassCounts());
    }

    [Fact]
    public void TrainValidation_KeepsOriginalOrder()
    {
        var (train, validation) = DataSplit.TrainValidation(Numbered(30, 30), 0.3, seed: 5);
        Assert.Equal(Ids(train).Order(), Ids(train));
        Assert.Equal(Ids(validation).Order(), Ids(validation));
    }

    [Fact]
    public void Fraction_IsStratifiedDeterministicAndKeepsEveryClass()
    {
        var data = Numbered(100, 50, 3);
        var a = DataSplit.Fraction(data, 0.1, seed: 11);
        Assert.Equal([10, 5, 1], a.ClassCounts());
        Assert.Equal(Ids(a), Ids(DataSplit.Fraction(data, 0.1, seed: 11)));
        Assert.NotEqual(Ids(a), Ids(DataSplit.Fraction(data, 0.1, seed: 12)));
        Assert.Equal(Ids(a).Distinct().Count(), a.Count);
    }

    [Fact]
    public void Fraction_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Fraction(Numbered(3, 3), 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.TrainValidation(Numbered(3, 3), 1, 1));
    }
}
