using SkiaSharp;

namespace NasPlatform.Engine.Datasets.Detection;

/// <summary>
/// Decodes a detection set's images to one size: the first image's, shrunk to fit <see cref="MaxSide"/> (networks see one
/// shape; the readers scale each image's boxes by its own factors). Grey when the first image is grey, else RGB.
/// </summary>
public static class DetectionImages
{
    /// <summary>The longest side images are brought down to by default: detection on larger images is beyond a CPU worker's budget.</summary>
    public const int MaxSide = 128;

    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];

    /// <summary>An image to read: the name messages use, its file, and its size when the annotations declare one.</summary>
    public sealed record Source(string Name, string Path);

    /// <summary>The decoded pixels, the shared shape, and each image's original size (to scale its boxes).</summary>
    public sealed record Decoded(byte[] Pixels, int Channels, int Height, int Width, (int Width, int Height)[] Original);

    public static (int Width, int Height) Size(string path, string name)
    {
        using var codec = SKCodec.Create(path) ?? throw new DatasetFormatException($"{name} is not a decodable image.");
        return (codec.Info.Width, codec.Info.Height);
    }

    public static Decoded Read(IReadOnlyList<Source> images, DatasetLimits limits, int maxSide = MaxSide)
    {
        if (images.Count == 0) throw new DatasetFormatException("The dataset holds no images.");
        if (images.Count > limits.MaxImages) throw new DatasetFormatException($"{images.Count} images; at most {limits.MaxImages} are accepted.");
        int channels;
        (int w0, int h0) = (0, 0);
        using (var codec = SKCodec.Create(images[0].Path) ?? throw new DatasetFormatException($"{images[0].Name} is not a decodable image."))
        {
            (w0, h0) = (codec.Info.Width, codec.Info.Height);
            channels = codec.Info.ColorType == SKColorType.Gray8 ? 1 : 3;
        }
        double shrink = Math.Min(1.0, (double)maxSide / Math.Max(w0, h0));
        int width = Math.Max(8, (int)Math.Round(w0 * shrink)), height = Math.Max(8, (int)Math.Round(h0 * shrink));
        long size = (long)channels * width * height;
        if (images.Count * size > limits.MaxPixelBytes) throw new DatasetFormatException($"{images.Count} images of {width}x{height} are more pixels than accepted.");
        var pixels = new byte[images.Count * size];
        var original = new (int, int)[images.Count];
        for (int n = 0; n < images.Count; n++)
        {
            original[n] = Size(images[n].Path, images[n].Name);
            if (original[n].Item1 > limits.MaxSide || original[n].Item2 > limits.MaxSide)
                throw new DatasetFormatException($"{images[n].Name} is {original[n].Item1}x{original[n].Item2}; each side must be at most {limits.MaxSide}.");
            ImageDecoder.DecodeInto(File.ReadAllBytes(images[n].Path), images[n].Name, channels, height, width, limits.MaxSide,
                pixels.AsSpan((int)(n * size), (int)size));
        }
        return new Decoded(pixels, channels, height, width, original);
    }

    /// <summary>A box in the original image's pixels, scaled to the stored size.</summary>
    public static DetectionBox Scale(DetectionBox box, (int Width, int Height) original, int width, int height)
    {
        float sx = (float)width / original.Width, sy = (float)height / original.Height;
        return new DetectionBox(box.Class, box.X1 * sx, box.Y1 * sy, box.X2 * sx, box.Y2 * sy);
    }

    /// <summary>Refuses a box that leaves its image by more than half a pixel or has no area; clips the rest to the image.</summary>
    public static DetectionBox Check(DetectionBox box, int imageWidth, int imageHeight, string where)
    {
        const float Slack = 0.5f;
        if (!(box.Width > 0 && box.Height > 0) || !float.IsFinite(box.X1 + box.Y1 + box.X2 + box.Y2))
            throw new DatasetFormatException($"{where}: the box has no area (width {box.Width}, height {box.Height}).");
        if (box.X1 < -Slack || box.Y1 < -Slack || box.X2 > imageWidth + Slack || box.Y2 > imageHeight + Slack)
            throw new DatasetFormatException(
                $"{where}: the box ({box.X1}, {box.Y1})-({box.X2}, {box.Y2}) lies outside its {imageWidth}x{imageHeight} image.");
        return new DetectionBox(box.Class, Math.Max(0, box.X1), Math.Max(0, box.Y1), Math.Min(imageWidth, box.X2), Math.Min(imageHeight, box.Y2));
    }
}
