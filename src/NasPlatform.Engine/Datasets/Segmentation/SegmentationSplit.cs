namespace NasPlatform.Engine.Datasets.Segmentation;

/// <summary>A segmentation set as the engine's datasets: images with masks, a held-out test part.</summary>
public static class SegmentationSplit
{
    /// <summary>The share of the images held out as the test part (the format has no test folder of its own).</summary>
    public const double TestFraction = 0.2;

    /// <summary>
    /// Every image gets the label of the class covering most of its scored pixels other than class 0 (0 when it has
    /// none), only so that splits keep the classes' mix; the test part is a fixed stratified fifth.
    /// </summary>
    public static DatasetBundle Split(SegmentationSet set, long seed = 1) => DataSplit.HoldOutTest(ToDataset(set), TestFraction, DatasetLoader.Segmentation, seed);

    public static ImageDataset ToDataset(SegmentationSet set)
    {
        int plane = set.Height * set.Width, classes = set.Classes.Count;
        var labels = new int[set.Count];
        var counts = new int[classes];
        for (int n = 0; n < set.Count; n++)
        {
            Array.Clear(counts);
            foreach (var m in set.Masks.AsSpan(n * plane, plane)) if (m < classes) counts[m]++;
            int best = 0;
            for (int c = 1; c < classes; c++) if (counts[c] > 0 && (best == 0 || counts[c] > counts[best])) best = c;
            labels[n] = best;
        }
        return new ImageDataset(set.Pixels, labels, set.Classes.Select(c => c.Name).ToList(), set.Channels, set.Height, set.Width, set.Masks);
    }
}
