using System.Text.Json;
using SkiaSharp;

namespace NasPlatform.Engine.Datasets.Segmentation;

/// <summary>
/// A segmentation demo set made from a classification set of small grey items (Fashion-MNIST): each canvas holds
/// 2 to 4 items at random places (later ones over earlier ones), and its mask gives every pixel the class of the
/// item whose ink covers it (class 0 = background). Written as the platform's segmentation format: images/ and
/// masks/ PNGs with the same names, and classes.json.
/// </summary>
public static class SegmentationSynth
{
    /// <summary>An item's pixel belongs to it from this grey level up (Fashion-MNIST's background is 0, its faint edges low).</summary>
    public const byte InkThreshold = 40;

    private static readonly string[] Palette =
        ["#000000", "#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6", "#bcf60c", "#fabebe", "#008080"];

    public static SegmentationSet Make(ImageDataset items, int count, int size, long seed)
    {
        if (items.Channels != 1) throw new ArgumentException("The items must be single-channel (grey) images.");
        if (size < items.Height || size < items.Width) throw new ArgumentException($"The canvas ({size}) must be at least as large as an item ({items.Height}x{items.Width}).");
        var random = new Random((int)seed);
        var pixels = new byte[count * size * size];
        var masks = new byte[count * size * size];
        int ih = items.Height, iw = items.Width;
        for (int n = 0; n < count; n++)
        {
            int placed = random.Next(2, 5);
            for (int k = 0; k < placed; k++)
            {
                int item = random.Next(items.Count);
                int top = random.Next(size - ih + 1), left = random.Next(size - iw + 1);
                byte cls = (byte)(items.Labels[item] + 1);
                var source = items.Pixels.AsSpan(item * ih * iw, ih * iw);
                for (int y = 0; y < ih; y++)
                {
                    for (int x = 0; x < iw; x++)
                    {
                        byte v = source[y * iw + x];
                        if (v < InkThreshold) continue;
                        int at = n * size * size + (top + y) * size + left + x;
                        pixels[at] = v;
                        masks[at] = cls;
                    }
                }
            }
        }
        // Colours only while the palette has one per class: two classes of one colour would make the masks ambiguous.
        bool coloured = items.NumClasses < Palette.Length;
        var classes = new List<SegmentationClass> { new("background", coloured ? Palette[0] : null) };
        classes.AddRange(items.ClassNames.Select((name, i) => new SegmentationClass(name, coloured ? Palette[i + 1] : null)));
        return new SegmentationSet(pixels, masks, Enumerable.Range(0, count).Select(i => $"{i:D5}").ToList(), classes, 1, size, size);
    }

    /// <summary>Writes images/NAME.png, masks/NAME.png (grey, value = class index) and classes.json into <paramref name="folder"/>.</summary>
    public static void Write(SegmentationSet set, string folder)
    {
        if (set.Channels != 1) throw new NotSupportedException("Only grey images are written.");
        Directory.CreateDirectory(Path.Combine(folder, SegmentationReader.ImagesFolder));
        Directory.CreateDirectory(Path.Combine(folder, SegmentationReader.MasksFolder));
        int plane = set.Height * set.Width;
        for (int n = 0; n < set.Count; n++)
        {
            WriteGrey(Path.Combine(folder, SegmentationReader.ImagesFolder, set.Names[n] + ".png"), set.Pixels.AsSpan(n * plane, plane), set.Width, set.Height);
            WriteGrey(Path.Combine(folder, SegmentationReader.MasksFolder, set.Names[n] + ".png"), set.Masks.AsSpan(n * plane, plane), set.Width, set.Height);
        }
        var json = JsonSerializer.Serialize(new { classes = set.Classes.Select(c => new { name = c.Name, color = c.Color }) },
            new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(folder, SegmentationReader.ClassesFile), json);
    }

    private static void WriteGrey(string path, ReadOnlySpan<byte> values, int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        values.CopyTo(bitmap.GetPixelSpan());
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}
