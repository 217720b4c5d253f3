namespace NasPlatform.Engine.Tasks.Detection;

/// <summary>
/// Where a detector looks: pyramid levels <see cref="MinLevel"/>..<see cref="MaxLevel"/> (level l has stride 2^l and
/// ceil(H / 2^l) x ceil(W / 2^l) locations) and at each location RetinaNet's anchors, <see cref="Scales"/> sizes x 3 aspect
/// ratios of base size <see cref="AnchorScale"/> x stride. A function of the image size only, so the task's targets and every
/// detector built for the same images agree on the anchors.
/// </summary>
public sealed record AnchorLayout(int Height, int Width, int MinLevel, int MaxLevel, double AnchorScale, int Scales)
{
    public static readonly IReadOnlyList<double> AspectRatios = [0.5, 1.0, 2.0];

    /// <summary>
    /// RetinaNet's P3-P7 with 4 x stride anchors (Lin et al. 2017) on images of 256 px and more; on smaller images the pyramid starts
    /// at P2 so that objects of a few pixels still have anchors, and ends where a level still has 2 x 2 locations (at most 5 levels).
    /// </summary>
    public static AnchorLayout For(int height, int width)
    {
        int side = Math.Min(height, width);
        if (side < 16) throw new ArgumentException($"Images of {height}x{width} are too small for detection (at least 16 px a side).");
        int min = side >= 256 ? 3 : 2;
        int max = Math.Clamp((int)Math.Floor(Math.Log2(side)) - 1, min + 1, min + 4);
        return new AnchorLayout(height, width, min, max, 4, 3);
    }

    public int Levels => MaxLevel - MinLevel + 1;

    public int PerLocation => Scales * AspectRatios.Count;

    public (int Height, int Width) LevelSize(int level) => (Ceil(Height, level), Ceil(Width, level));

    private static int Ceil(int size, int level) => (size + (1 << level) - 1) >> level;

    public int Count => Enumerable.Range(MinLevel, Levels).Sum(l => LevelSize(l).Height * LevelSize(l).Width) * PerLocation;

    /// <summary>Every anchor as x1, y1, x2, y2 in image pixels, level by level, location by location (row-major), then scale x ratio:
    /// the order the detector's head writes its outputs in.</summary>
    public float[] Boxes()
    {
        var boxes = new float[Count * 4];
        int at = 0;
        for (int level = MinLevel; level <= MaxLevel; level++)
        {
            var (h, w) = LevelSize(level);
            double stride = 1 << level;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double cx = (x + 0.5) * stride, cy = (y + 0.5) * stride;
                    foreach (var ratio in AspectRatios)
                        for (int s = 0; s < Scales; s++)
                        {
                            double size = AnchorScale * stride * Math.Pow(2, (double)s / Scales);
                            double aw = size / Math.Sqrt(ratio), ah = size * Math.Sqrt(ratio);
                            boxes[at++] = (float)(cx - aw / 2);
                            boxes[at++] = (float)(cy - ah / 2);
                            boxes[at++] = (float)(cx + aw / 2);
                            boxes[at++] = (float)(cy + ah / 2);
                        }
                }
        }
        return boxes;
    }
}
