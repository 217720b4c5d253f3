using NasPlatform.Engine.Datasets.Detection;

namespace NasPlatform.Engine.Tasks.Detection;

/// <summary>One image's ground truth and predictions, as the evaluation sees them.</summary>
public sealed record EvaluatedImage(IReadOnlyList<DetectionBox> Truth, IReadOnlyList<ScoredBox> Predictions);

/// <summary>COCO's box AP: averaged over IoU 0.50:0.05:0.95, AP at 0.50 and 0.75, and each category's AP (null without ground truth).</summary>
public sealed record ApResult(double MeanAp, double Ap50, double Ap75, IReadOnlyList<double?> PerClass);

/// <summary>
/// Average precision as pycocotools computes it (area "all", at most 100 detections per image and category): per category and IoU threshold,
/// detections by falling score (ties in image order, then in each image's order) are matched greedily, each to the unmatched
/// ground-truth box it overlaps most at or above the threshold; precision is made monotone and read at 101 recall points.
/// Categories without ground truth are left out of the means.
/// </summary>
public static class AveragePrecision
{
    public const int MaxDetections = 100;

    public static readonly IReadOnlyList<double> Thresholds = Enumerable.Range(0, 10).Select(i => 0.5 + 0.05 * i).ToArray();

    public static ApResult Evaluate(IReadOnlyList<EvaluatedImage> images, int classes)
    {
        var perClass = new double?[classes];
        var byThreshold = new double[Thresholds.Count];
        int counted = 0;
        for (int c = 0; c < classes; c++)
        {
            int truthCount = images.Sum(i => i.Truth.Count(b => b.Class == c));
            if (truthCount == 0) continue;
            double sum = 0;
            for (int t = 0; t < Thresholds.Count; t++)
            {
                double ap = ClassAp(images, c, Thresholds[t], truthCount);
                byThreshold[t] += ap;
                sum += ap;
            }
            perClass[c] = sum / Thresholds.Count;
            counted++;
        }
        if (counted == 0) return new ApResult(0, 0, 0, perClass);
        return new ApResult(perClass.Sum(v => v ?? 0) / counted, byThreshold[0] / counted, byThreshold[5] / counted, perClass);
    }

    private static double ClassAp(IReadOnlyList<EvaluatedImage> images, int cls, double threshold, int truthCount)
    {
        var scored = new List<(float Score, bool Hit)>();
        foreach (var image in images)
        {
            var truth = image.Truth.Where(b => b.Class == cls).ToList();
            var matched = new bool[truth.Count];
            // As pycocotools' evaluateImg: the image's 100 best detections of this category, in score order.
            var kept = image.Predictions.Where(p => p.Box.Class == cls).OrderByDescending(p => p.Score).Take(MaxDetections);
            foreach (var p in kept)
            {
                int best = -1;
                double bestIoU = Math.Min(threshold, 1 - 1e-10);
                for (int g = 0; g < truth.Count; g++)
                {
                    if (matched[g]) continue;
                    double iou = BoxMath.IoU(p.Box, truth[g]);
                    if (iou < bestIoU) continue;
                    (best, bestIoU) = (g, iou);
                }
                if (best >= 0) matched[best] = true;
                scored.Add((p.Score, best >= 0));
            }
        }
        // A stable sort keeps ties in image order, as pycocotools' mergesort does.
        var ordered = scored.OrderByDescending(s => s.Score).ToList();
        var precision = new double[ordered.Count];
        var recall = new double[ordered.Count];
        int tp = 0, fp = 0;
        for (int i = 0; i < ordered.Count; i++)
        {
            if (ordered[i].Hit) tp++; else fp++;
            precision[i] = (double)tp / (tp + fp);
            recall[i] = (double)tp / truthCount;
        }
        for (int i = ordered.Count - 2; i >= 0; i--) precision[i] = Math.Max(precision[i], precision[i + 1]);
        double total = 0;
        for (int r = 0; r <= 100; r++)
        {
            double wanted = r / 100.0;
            int at = FirstAtLeast(recall, wanted);
            if (at < recall.Length) total += precision[at];
        }
        return total / 101;
    }

    /// <summary>numpy's searchsorted(side="left") on a non-decreasing array.</summary>
    private static int FirstAtLeast(double[] values, double wanted)
    {
        int lo = 0, hi = values.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (values[mid] < wanted) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
