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
