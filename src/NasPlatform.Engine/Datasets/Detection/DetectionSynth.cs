using System.Text.Json;
using SkiaSharp;

namespace NasPlatform.Engine.Datasets.Detection;

/// <summary>
/// A detection demo set made from a classification set of small grey items (Fashion-MNIST): each canvas holds 1 to 3 items,
/// each scaled by 0.6-1.2 and placed where it overlaps earlier ones little (box IoU at most 0.3); its box is the tight box of
/// its ink. Written as COCO (annotations.json and images/).
/// </summary>
public static class DetectionSynth
{
    public const byte InkThreshold = 40;

    public static DetectionSet Make(ImageDataset items, int count, int size, long seed)
    {
        if (items.Channels != 1) throw new ArgumentException("The items must be single-channel (grey) images.");
        if (size < items.Height || size < items.Width) throw new ArgumentException($"The canvas ({size}) must be at least as large as an item ({items.Height}x{items.Width}).");
        var random = new Random((int)seed);
        var pixels = new byte[count * size * size];
        var boxes = new List<DetectionBox[]>(count);
        for (int n = 0; n < count; n++)
        {
            var canvas = pixels.AsSpan(n * size * size, size * size);
            var placed = new List<DetectionBox>();
            int wanted = random.Next(1, 4);
            for (int attempt = 0; attempt < 20 && placed.Count < wanted; attempt++)
            {
                int item = random.Next(items.Count);
                double scale = 0.6 + random.NextDouble() * 0.6;
                int h = Math.Min(size, (int)Math.Round(items.Height * scale)), w = Math.Min(size, (int)Math.Round(items.Width * scale));
                int top = random.Next(size - h + 1), left = random.Next(size - w + 1);
                var ink = InkBox(items, item, h, w);
                if (ink is not var (y1, x1, y2, x2)) continue;
                var box = new DetectionBox(items.Labels[item], left + x1, top + y1, left + x2, top + y2);
                if (placed.Any(p => Tasks.Detection.BoxMath.IoU(p, box) > 0.3)) continue;
                Paint(items, item, canvas, size, top, left, h, w);
                placed.Add(box);
            }
            boxes.Add([.. placed]);
        }
        return new DetectionSet(pixels, boxes, Enumerable.Range(0, count).Select(i => $"{i:D5}.png").ToList(), items.ClassNames, 1, size, size);
    }

    /// <summary>The item's grey value at (y, x) of its scaled copy (h x w), by nearest sampling.</summary>
    private static byte Sample(ImageDataset items, int item, int h, int w, int y, int x) =>
        items.Pixels[item * items.ImageSize + Math.Min(items.Height - 1, y * items.Height / h) * items.Width + Math.Min(items.Width - 1, x * items.Width / w)];

    /// <summary>The tight box (top, left, bottom, right; exclusive) of the scaled item's ink, or null when it has none.</summary>
    private static (int, int, int, int)? InkBox(ImageDataset items, int item, int h, int w)
    {
        int y1 = h, x1 = w, y2 = -1, x2 = -1;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (Sample(items, item, h, w, y, x) >= InkThreshold)
                    (y1, x1, y2, x2) = (Math.Min(y1, y), Math.Min(x1, x), Math.Max(y2, y), Math.Max(x2, x));
        return y2 < 0 ? null : (y1, x1, y2 + 1, x2 + 1);
    }

    private static void Paint(ImageDataset items, int item, Span<byte> canvas, int size, int top, int left, int h, int w)
    {
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                byte v = Sample(items, item, h, w, y, x);
                if (v >= InkThreshold) canvas[(top + y) * size + left + x] = v;
            }
    }

    /// <summary>Writes images/NAME and annotations.json (COCO, boxes as [x, y, width, height]) into <paramref name="folder"/>.</summary>
    public static void WriteCoco(DetectionSet set, string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, CocoReader.ImagesFolder));
        int size = set.Channels * set.Height * set.Width;
        var annotations = new List<object>();
        for (int n = 0; n < set.Count; n++)
        {
            WritePng(Path.Combine(folder, CocoReader.ImagesFolder, set.Names[n]), set.Pixels.AsSpan(n * size, size), set.Channels, set.Width, set.Height);
            foreach (var b in set.Boxes[n])
                annotations.Add(new { id = annotations.Count + 1, image_id = n + 1, category_id = b.Class + 1, bbox = new[] { b.X1, b.Y1, b.Width, b.Height }, area = b.Area, iscrowd = 0 });
        }
        var json = new
        {
            images = set.Names.Select((name, n) => new { id = n + 1, file_name = name, width = set.Width, height = set.Height }),
            annotations,
            categories = set.Classes.Select((name, c) => new { id = c + 1, name }),
        };
        File.WriteAllText(Path.Combine(folder, CocoReader.AnnotationsFile), JsonSerializer.Serialize(json));
    }

    private static void WritePng(string path, ReadOnlySpan<byte> chw, int channels, int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque));
        var px = bitmap.GetPixelSpan();
        int plane = width * height;
        for (int i = 0; i < plane; i++)
        {
            if (channels == 1) { px[i] = chw[i]; continue; }
            for (int c = 0; c < 3; c++) px[4 * i + c] = chw[c * plane + i];
            px[4 * i + 3] = 255;
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}
