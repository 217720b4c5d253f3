namespace NasPlatform.Engine.Datasets.Segmentation;

/// <summary>What a dataset page shows of masks: in how many images each class appears, and its share of the scored pixels.</summary>
public static class MaskStatistics
{
    public static (int[] Images, double[] PixelShares) Of(ImageDataset data)
    {
        var masks = data.Masks ?? throw new InvalidOperationException("The dataset has no masks.");
        int classes = data.NumClasses, plane = data.Height * data.Width;
        var pixels = new long[classes];
        var images = new int[classes];
        var seen = new bool[classes];
        for (int n = 0; n < data.Count; n++)
        {
            Array.Clear(seen);
            foreach (var m in masks.AsSpan(n * plane, plane))
            {
                if (m >= classes) continue;
                pixels[m]++;
                seen[m] = true;
            }
            for (int k = 0; k < classes; k++) if (seen[k]) images[k]++;
        }
        double total = Math.Max(1, pixels.Sum());
        return (images, pixels.Select(p => p / total).ToArray());
    }
}
