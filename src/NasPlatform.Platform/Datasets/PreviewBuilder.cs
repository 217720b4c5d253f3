using NasPlatform.Engine.Datasets;
using SkiaSharp;

namespace NasPlatform.Platform.Datasets;

/// <summary>One PNG strip per class with its first few training images, for the dataset page.</summary>
public static class PreviewBuilder
{
    public const int PerClass = 8;
    public const int Thumb = 48;

    public static byte[] ClassStrip(ImageDataset data, int classIndex)
    {
        var picks = new List<int>(PerClass);
        for (int i = 0; i < data.Count && picks.Count < PerClass; i++)
            if (data.Labels[i] == classIndex) picks.Add(i);

        using var strip = new SKBitmap(new SKImageInfo(Math.Max(1, picks.Count) * Thumb, Thumb, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(strip))
        {
            canvas.Clear(SKColors.White);
            for (int p = 0; p < picks.Count; p++)
            {
                using var image = ToBitmap(data, picks[p]);
                // Nearest neighbour: tiny images stay crisp instead of blurring.
                using var skImage = SKImage.FromBitmap(image);
                canvas.DrawImage(skImage, new SKRect(p * Thumb, 0, (p + 1) * Thumb, Thumb), new SKSamplingOptions(SKFilterMode.Nearest));
            }
        }
        using var encoded = strip.Encode(SKEncodedImageFormat.Png, 90);
        return encoded.ToArray();
    }

    private static SKBitmap ToBitmap(ImageDataset data, int index)
    {
        var pixels = data.Image(index);
        int plane = data.Height * data.Width;
        var bitmap = new SKBitmap(new SKImageInfo(data.Width, data.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var rgba = new byte[plane * 4];
        for (int i = 0; i < plane; i++)
        {
            byte r = pixels[i];
            byte g = data.Channels >= 3 ? pixels[plane + i] : r;
            byte b = data.Channels >= 3 ? pixels[2 * plane + i] : r;
            rgba[4 * i] = r;
            rgba[4 * i + 1] = g;
            rgba[4 * i + 2] = b;
            rgba[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        return bitmap;
    }
}
