using System.Globalization;

namespace NasPlatform.Engine.Datasets;

/// <summary>
/// What a classifier needs of its labels, checked once a dataset is read: at least two classes in the
/// training part, and no test image of a class the training part never shows (no model could ever be
/// right on it, so the reported test accuracy would be capped by the data, not the model).
/// </summary>
public static class LabelChecks
{
    /// <exception cref="DatasetFormatException">With a message saying which labels are the problem.</exception>
    public static DatasetBundle EnsureLearnable(DatasetBundle bundle)
    {
        var counts = bundle.Train.ClassCounts();
        var present = Enumerable.Range(0, counts.Length).Where(k => counts[k] > 0).ToList();
        if (present.Count == 0) throw new DatasetFormatException("The training part has no images.");
        if (present.Count == 1)
            throw new DatasetFormatException(
                $"Every one of the {bundle.Train.Count} training images has the same label ({Name(bundle.Train, present[0])}); " +
                "a classifier needs images of at least 2 classes in the training part.");
        var unseen = bundle.Test.Labels.Where(l => l >= counts.Length || counts[l] == 0)
            .GroupBy(l => l).OrderBy(g => g.Key).Select(g => (Label: g.Key, Count: g.Count())).ToList();
        if (unseen.Count > 0)
            throw new DatasetFormatException(
                $"{unseen.Sum(u => u.Count)} test image(s) have labels the training part never uses " +
                $"({string.Join(", ", unseen.Take(5).Select(u => $"{Name(bundle.Train, u.Label)}: {u.Count}"))}{(unseen.Count > 5 ? ", ..." : "")}); " +
                "no model trained on it could be right on them. Add training images of those classes or remove them from the test part.");
        return bundle;
    }

    private static string Name(ImageDataset data, int label)
    {
        string number = label.ToString(CultureInfo.InvariantCulture);
        return label < data.ClassNames.Count && data.ClassNames[label] != number ? $"{number} '{data.ClassNames[label]}'" : $"label {number}";
    }
}
