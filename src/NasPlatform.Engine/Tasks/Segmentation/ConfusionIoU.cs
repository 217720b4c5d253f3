namespace NasPlatform.Engine.Tasks.Segmentation;

/// <summary>Per-class IoU (null for a class neither present nor predicted), their mean over the defined ones, and pixel accuracy.</summary>
public sealed record IoUResult(IReadOnlyList<double?> PerClass, double MeanIoU, double PixelAccuracy, long Pixels);

/// <summary>
/// Segmentation's metrics as PASCAL VOC and Cityscapes compute them: a confusion matrix over all pixels of
/// all images (not a mean of per-image scores), IoU = TP / (TP + FP + FN) per class, mIoU the mean over
/// the classes that occur in the ground truth or the prediction. Pixels labelled <see cref="Ignore"/>
/// count nowhere.
/// </summary>
public sealed class ConfusionIoU(int classes)
{
    /// <summary>The label of pixels that are not scored (borders, unknown).</summary>
    public const int Ignore = 255;

    private readonly long[,] _matrix = new long[classes, classes];

    public int Classes => classes;

    /// <summary>Adds one batch: target and prediction class indices, pixel by pixel.</summary>
    /// <exception cref="ArgumentException">The lengths differ, or an index is outside the classes (and not <see cref="Ignore"/>).</exception>
    public void Add(ReadOnlySpan<long> target, ReadOnlySpan<long> predicted)
    {
        if (target.Length != predicted.Length) throw new ArgumentException($"{target.Length} target pixels but {predicted.Length} predicted.");
        for (int i = 0; i < target.Length; i++)
        {
            long t = target[i];
            if (t == Ignore) continue;
            long p = predicted[i];
            if ((ulong)t >= (ulong)classes) throw new ArgumentException($"Target class {t} at pixel {i} is outside 0..{classes - 1}.");
            if ((ulong)p >= (ulong)classes) throw new ArgumentException($"Predicted class {p} at pixel {i} is outside 0..{classes - 1}.");
            _matrix[t, p]++;
        }
    }

    public IoUResult Result()
    {
        var perClass = new double?[classes];
        long correct = 0, total = 0;
        double sum = 0;
        int defined = 0;
        for (int c = 0; c < classes; c++)
        {
            long tp = _matrix[c, c], fn = 0, fp = 0;
            for (int k = 0; k < classes; k++)
            {
                if (k == c) continue;
                fn += _matrix[c, k];
                fp += _matrix[k, c];
            }
            correct += tp;
            total += tp + fn;
            long union = tp + fp + fn;
            if (union == 0) continue; // absent from both: no evidence either way, left out of the mean
            perClass[c] = (double)tp / union;
            sum += perClass[c]!.Value;
            defined++;
        }
        return new IoUResult(perClass, defined == 0 ? 0 : sum / defined, total == 0 ? 0 : (double)correct / total, total);
    }
}
