using System.Threading.Channels;
using NasPlatform.Engine.Common;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Datasets.Detection;

namespace NasPlatform.Engine.Training;

/// <summary>A batch as plain arrays: normalized N x C x H x W floats and labels.</summary>
/// <param name="Masks">Segmentation: N x H x W class indices, shifted and mirrored with their images (255 where a shift uncovers nothing).</param>
/// <param name="Boxes">Detection: each image's boxes, shifted and mirrored with it (clipped to the image; boxes mostly pushed out are dropped).</param>
/// <param name="Height">The images' height (and <paramref name="Width"/> their width), for tasks whose targets depend on it.</param>
public sealed record HostBatch(float[] Images, long[] Labels, int Count, long[]? Masks = null, DetectionBox[][]? Boxes = null, int Height = 0, int Width = 0);

/// <summary>
/// Training-time augmentation: a random crop of the zero-padded image, an optional horizontal flip,
/// and random erasing (Zhong et al. 2020: with this probability a rectangle of 2-25% of the image
/// with aspect 0.3-3.3 is replaced by the data's mid value), which regularizes networks trained long.
/// </summary>
public sealed record Augmentation(int CropPadding = 0, bool Flip = false, double ErasingProbability = 0)
{
    public static Augmentation None { get; } = new();
}

/// <summary>
/// Prepares batches (shuffle, augmentation, normalization) on a background task into a bounded
/// channel, so the training step never waits on data and memory stays bounded to a few batches.
/// Randomness comes from a generator seeded by (seed, epoch), so the batches are the same whatever
/// the thread timing.
/// </summary>
public static class BatchPipeline
{
    /// <summary>Maps uint8 pixels to roughly [-1, 1].</summary>
    public static float Normalize(byte pixel) => pixel * (2f / 255f) - 1f;

    public static ChannelReader<HostBatch> Start(ImageDataset data, int batchSize, bool shuffle, Augmentation augment,
        long seed, int epoch, int prefetch, CancellationToken ct)
    {
        var channel = Channel.CreateBounded<HostBatch>(new BoundedChannelOptions(Math.Max(1, prefetch))
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _ = Task.Run(async () =>
        {
            try
            {
                var random = new SeededRandom(seed * 1_000_003 + epoch);
                var order = Enumerable.Range(0, data.Count).ToArray();
                if (shuffle) random.Shuffle(order);
                for (int start = 0; start < order.Length; start += batchSize)
                {
                    int count = Math.Min(batchSize, order.Length - start);
                    var batch = Build(data, order.AsSpan(start, count), augment, random);
                    await channel.Writer.WriteAsync(batch, ct).ConfigureAwait(false);
                }
                channel.Writer.Complete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);
        return channel.Reader;
    }

    /// <summary>Builds one batch on the calling thread.</summary>
    public static HostBatch Build(ImageDataset data, ReadOnlySpan<int> indices, Augmentation augment, SeededRandom random)
    {
        int c = data.Channels, h = data.Height, w = data.Width, size = data.ImageSize;
        var images = new float[indices.Length * size];
        var labels = new long[indices.Length];
        var masks = data.Masks is null ? null : new long[indices.Length * h * w];
        var boxes = data.Boxes is null ? null : new DetectionBox[indices.Length][];
        for (int n = 0; n < indices.Length; n++)
        {
            var src = data.Image(indices[n]);
            labels[n] = data.Labels[indices[n]];
            int pad = augment.CropPadding, dy = 0, dx = 0;
            if (pad > 0)
            {
                dy = random.Next(-pad, pad + 1);
                dx = random.Next(-pad, pad + 1);
            }
            bool mirror = augment.Flip && random.Next(2) == 1;
            var dst = images.AsSpan(n * size, size);
            if (masks is not null) CopyMask(data.Mask(indices[n]), masks.AsSpan(n * h * w, h * w), h, w, dy, dx, mirror);
            if (boxes is not null) boxes[n] = MoveBoxes(data.Boxes![indices[n]], h, w, dy, dx, mirror);
            if (dy == 0 && dx == 0 && !mirror)
            {
                for (int i = 0; i < size; i++) dst[i] = Normalize(src[i]);
            }
            else
            {
                // A crop of the zero-padded image is a shift; padding pixels are black, like the padded raw image.
                for (int ch = 0; ch < c; ch++)
                    for (int y = 0; y < h; y++)
                    {
                        int sy = y + dy;
                        for (int x = 0; x < w; x++)
                        {
                            int sx = (mirror ? w - 1 - x : x) + dx;
                            dst[(ch * h + y) * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w
                                ? Normalize(src[(ch * h + sy) * w + sx])
                                : -1f;
                        }
                    }
            }
            if (augment.ErasingProbability > 0 && random.NextDouble() < augment.ErasingProbability)
                Erase(dst, c, h, w, random);
        }
        return new HostBatch(images, labels, indices.Length, masks, boxes, h, w);
    }

    /// <summary>
    /// Boxes under the same shift and flip as their image (image pixel x shows source pixel x + dx, mirrored first), clipped to the
    /// image; a box left with under half of its area or under a pixel a side is dropped, as the object is mostly gone.
    /// </summary>
    public static DetectionBox[] MoveBoxes(DetectionBox[] source, int h, int w, int dy, int dx, bool mirror)
    {
        if (dy == 0 && dx == 0 && !mirror) return source;
        var moved = new List<DetectionBox>(source.Length);
        foreach (var b in source)
        {
            float x1 = b.X1 - dx, x2 = b.X2 - dx;
            if (mirror) (x1, x2) = (w - x2, w - x1);
            var m = new DetectionBox(b.Class, Math.Max(0, x1), Math.Max(0, b.Y1 - dy), Math.Min(w, x2), Math.Min(h, b.Y2 - dy));
            if (m.Width >= 1 && m.Height >= 1 && m.Area >= 0.5f * b.Area) moved.Add(m);
        }
        return [.. moved];
    }

    /// <summary>The mask under the same crop (shift) and flip as its image; uncovered pixels are not scored.</summary>
    private static void CopyMask(ReadOnlySpan<byte> src, Span<long> dst, int h, int w, int dy, int dx, bool mirror)
    {
        for (int y = 0; y < h; y++)
        {
            int sy = y + dy;
            for (int x = 0; x < w; x++)
            {
                int sx = (mirror ? w - 1 - x : x) + dx;
                dst[y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[sy * w + sx] : Tasks.Segmentation.ConfusionIoU.Ignore;
            }
        }
    }

    /// <summary>Random erasing: a rectangle of 2-25% of the area, log-uniform aspect in [0.3, 3.3], set to 0 (mid-grey after normalization).</summary>
    private static void Erase(Span<float> image, int c, int h, int w, SeededRandom random)
    {
        // A few tries, as in the paper, until the rectangle fits the image.
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double area = h * w * (0.02 + random.NextDouble() * 0.23);
            double aspect = Math.Exp(Math.Log(0.3) + random.NextDouble() * (Math.Log(3.3) - Math.Log(0.3)));
            int eh = (int)Math.Round(Math.Sqrt(area * aspect)), ew = (int)Math.Round(Math.Sqrt(area / aspect));
            if (eh < 1 || ew < 1 || eh >= h || ew >= w) continue;
            int top = random.Next(h - eh + 1), left = random.Next(w - ew + 1);
            for (int ch = 0; ch < c; ch++)
                for (int y = top; y < top + eh; y++)
                    image.Slice((ch * h + y) * w + left, ew).Clear();
            return;
        }
    }
}
