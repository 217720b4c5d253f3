using NasPlatform.Engine.Common;

namespace NasPlatform.Engine.Datasets;

/// <summary>
/// Deterministic, stratified splits: every class is shuffled on its own with a seeded generator, so
/// class proportions survive and the same seed always gives the same images. Kept images stay in
/// their original order.
/// </summary>
public static class DataSplit
{
    /// <summary>
    /// Holds out about <paramref name="validationFraction"/> of each class for validation. Every class
    /// with two or more images gives at least one; every class keeps at least one training image.
    /// </summary>
    public static (ImageDataset Train, ImageDataset Validation) TrainValidation(ImageDataset train, double validationFraction, long seed)
    {
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in [0, 1).");
        var picked = StratifiedPick(train.Labels, train.NumClasses, n =>
            validationFraction == 0 || n < 2 ? 0 : Math.Clamp(RoundCount(n, validationFraction), 1, n - 1), seed);
        return (train.Subset(Indices(picked, false)), train.Subset(Indices(picked, true)));
    }

    /// <summary>
    /// About <paramref name="fraction"/> of each class (at least one image of every non-empty class),
    /// for proxy training on part of the data.
    /// </summary>
    public static ImageDataset Fraction(ImageDataset dataset, double fraction, long seed)
    {
        if (!(fraction > 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction must be in (0, 1].");
        if (fraction == 1) return dataset;
        var picked = StratifiedPick(dataset.Labels, dataset.NumClasses, n => n == 0 ? 0 : Math.Clamp(RoundCount(n, fraction), 1, n), seed);
        return dataset.Subset(Indices(picked, true));
    }

    /// <summary>
    /// A dataset without a test part of its own as training and test parts: about <paramref name="testFraction"/> of each label's images
    /// (none of a label with a single image) held out. Its labels only stratify (segmentation and detection label an image by its main class).
    /// </summary>
    public static DatasetBundle HoldOutTest(ImageDataset all, double testFraction, string format, long seed)
    {
        var test = StratifiedPick(all.Labels, all.NumClasses, n => n <= 1 ? 0 : Math.Max(1, (int)Math.Round(n * testFraction)), seed);
        var testIndices = Enumerable.Range(0, all.Count).Where(i => test[i]).ToList();
        var trainIndices = Enumerable.Range(0, all.Count).Where(i => !test[i]).ToList();
        if (testIndices.Count == 0 || trainIndices.Count == 0)
            throw new DatasetFormatException($"{all.Count} images are too few to hold out a test part: give at least 5.");
        return new DatasetBundle(all.Subset(trainIndices), all.Subset(testIndices), format);
    }

    /// <summary>
    /// Marks countForClass(n) images of each class, chosen by a seeded shuffle of that class's indices.
    /// Classes are visited in label order with one generator, so the result depends only on the labels and the seed.
    /// </summary>
    internal static bool[] StratifiedPick(int[] labels, int numClasses, Func<int, int> countForClass, long seed)
    {
        var byClass = new List<int>[numClasses];
        for (int c = 0; c < numClasses; c++) byClass[c] = [];
        for (int i = 0; i < labels.Length; i++) byClass[labels[i]].Add(i);

        var rng = new SeededRandom(seed);
        var picked = new bool[labels.Length];
        foreach (var members in byClass)
        {
            int k = countForClass(members.Count);
            rng.Shuffle(members);
            for (int j = 0; j < k; j++) picked[members[j]] = true;
        }
        return picked;
    }

    private static int RoundCount(int n, double fraction) => (int)Math.Round(n * fraction, MidpointRounding.AwayFromZero);

    private static List<int> Indices(bool[] picked, bool value)
    {
        var result = new List<int>();
        for (int i = 0; i < picked.Length; i++)
            if (picked[i] == value) result.Add(i);
        return result;
    }
}
