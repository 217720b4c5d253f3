using NasPlatform.Engine.Datasets;
using SkiaSharp;

namespace NasPlatform.Platform.Datasets;

/// <summary>
/// One PNG strip per class with its first few training images, for the dataset page. For segmentation, the first images in
/// which the class appears, each with its mask drawn over it: the strip's class in its colour, the other classes in theirs,
/// fainter, the background and unscored pixels left clear. For detection, the first images holding an object of the class, with
/// every box drawn: the strip's class thick, the others thin, each in its class's colour.
/// </summary>
public static class PreviewBuilder
{
    public const int PerClass = 8;
    public const int Thumb = 48;

    /// <summary>Overlay colours by class index (class 0, the background, is not drawn): Trubetskoy's 20 distinct colours.</summary>
    public static readonly IReadOnlyList<SKColor> Palette =
    [
        SKColors.Black, new(0xe6, 0x19, 0x4b), new(0x3c, 0xb4, 0x4b), new(0xff, 0xe1, 0x19), new(0x43, 0x63, 0xd8), new(0xf5, 0x82, 0x31),
        new(0x91, 0x1e, 0xb4), new(0x46, 0xf0, 0xf0), new(0xf0, 0x32, 0xe6), new(0xbc, 0xf6, 0x0c), new(0xfa, 0xbe, 0xbe), new(0x00, 0x80, 0x80),
        new(0xe6, 0xbe, 0xff), new(0x9a, 0x63, 0x24), new(0xff, 0xfa, 0xc8), new(0x80, 0x00, 0x00), new(0xaa, 0xff, 0xc3), new(0x80, 0x80, 0x00),
        new(0xff, 0xd8, 0xb1), new(0x00, 0x00, 0x75),
    ];

    public static SKColor ColourOf(int classIndex) => classIndex == 0 ? Palette[0] : Palette[1 + (classIndex - 1) % (Palette.Count - 1)];

    public static byte[] ClassStrip(ImageDataset data, int classIndex)
    {
        var picks = new List<int>(PerClass);
        for (int i = 0; i < data.Count && picks.Count < PerClass; i++)
            if (data.Boxes is { } boxes ? boxes[i].Any(b => b.Class == classIndex)
                : data.Masks is null ? data.Labels[i] == classIndex : data.Mask(i).Contains((byte)classIndex)) picks.Add(i);

        using var strip = new SKBitmap(new SKImageInfo(Math.Max(1, picks.Count) * Thumb, Thumb, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(strip))
        {
            canvas.Clear(SKColors.White);
            for (int p = 0; p < picks.Count; p++)
            {
                using var image = ToBitmap(data, picks[p], classIndex);
                // Nearest neighbour: tiny images stay crisp instead of blurring.
                using var skImage = SKImage.FromBitmap(image);
                canvas.DrawImage(skImage, new SKRect(p * Thumb, 0, (p + 1) * Thumb, Thumb), new SKSamplingOptions(SKFilterMode.Nearest));
                if (data.Boxes is not null) DrawBoxes(canvas, data, picks[p], p * Thumb, classIndex);
            }
        }
        using var encoded = strip.Encode(SKEncodedImageFormat.Png, 90);
        return encoded.ToArray();
    }

    /// <summary>Detection classes have no background, so class k takes the palette colour of segmentation class k + 1.</summary>
    private static void DrawBoxes(SKCanvas canvas, ImageDataset data, int index, float left, int highlight)
    {
        float sx = (float)Thumb / data.Width, sy = (float)Thumb / data.Height;
        foreach (var b in data.Boxes![index].OrderBy(b => b.Class == highlight))
        {
            using var paint = new SKPaint { Style = SKPaintStyle.Stroke, Color = ColourOf(b.Class + 1), StrokeWidth = b.Class == highlight ? 2 : 1, IsAntialias = false };
            canvas.DrawRect(new SKRect(left + b.X1 * sx, b.Y1 * sy, left + b.X2 * sx, b.Y2 * sy), paint);
        }
    }

    private static SKBitmap ToBitmap(ImageDataset data, int index, int highlight)
    {
        var pixels = data.Image(index);
        var mask = data.Masks is null ? default : data.Mask(index);
        int plane = data.Height * data.Width;
        var bitmap = new SKBitmap(new SKImageInfo(data.Width, data.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var rgba = new byte[plane * 4];
        for (int i = 0; i < plane; i++)
        {
            byte r = pixels[i];
            byte g = data.Channels >= 3 ? pixels[plane + i] : r;
            byte b = data.Channels >= 3 ? pixels[2 * plane + i] : r;
            if (!mask.IsEmpty && mask[i] is > 0 and var k && k < data.NumClasses)
            {
                // Blend the class colour over the pixel: strongly for the strip's class, lightly for the others.
                var colour = ColourOf(k);
                double a = k == highlight ? 0.6 : 0.3;
                (r, g, b) = ((byte)(r * (1 - a) + colour.Red * a), (byte)(g * (1 - a) + colour.Green * a), (byte)(b * (1 - a) + colour.Blue * a));
            }
            rgba[4 * i] = r;
            rgba[4 * i + 1] = g;
            rgba[4 * i + 2] = b;
            rgba[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }
}
