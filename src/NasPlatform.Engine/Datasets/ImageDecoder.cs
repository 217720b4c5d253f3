using SkiaSharp;

namespace NasPlatform.Engine.Datasets;

/// <summary>Decodes one encoded image (PNG, JPEG, BMP, WebP) into CHW uint8 pixels of a fixed size.</summary>
internal static class ImageDecoder
{
    // Linear filtering at exactly half size averages each 2x2 block, so repeated halving is a box filter
    // and large photos do not alias the way one big linear step would.
    private static readonly SKSamplingOptions Sampling = new(SKFilterMode.Linear, SKMipmapMode.None);

    /// <param name="dest">Channels x height x width bytes for this image.</param>
    public static void DecodeInto(byte[] encoded, string name, int channels, int height, int width, int maxSide, Span<byte> dest)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new DatasetFormatException($"{name}: is not a decodable image (unknown or corrupt format).");

        // The header's size is checked before decoding: a 100000x100000 PNG can be a few KB.
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || info.Width > maxSide || info.Height > maxSide)
            throw new DatasetFormatException(
                $"{name}: declares {info.Width}x{info.Height} pixels; each side must be between 1 and {maxSide}.");

        // Premultiplied alpha composites transparent pixels onto black, which also keeps resizing free of halos.
        var decodeInfo = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var bitmap = new SKBitmap(decodeInfo);
        try
        {
            var result = codec.GetPixels(decodeInfo, bitmap.GetPixels());
            if (result != SKCodecResult.Success)
                throw new DatasetFormatException($"{name}: could not be decoded ({result}).");

            while (bitmap.Width >= 2 * width || bitmap.Height >= 2 * height)
                bitmap = Replace(bitmap, Math.Max(width, bitmap.Width / 2), Math.Max(height, bitmap.Height / 2), name);
            if (bitmap.Width != width || bitmap.Height != height)
                bitmap = Replace(bitmap, width, height, name);

            CopyPlanes(bitmap, channels, dest);
        }
        finally
        {
            bitmap.Dispose();
        }
    }

    private static SKBitmap Replace(SKBitmap source, int width, int height, string name)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var resized = source.Resize(info, Sampling);
        source.Dispose();
        return resized ?? throw new DatasetFormatException($"{name}: could not be resized to {width}x{height}.");
    }

    private static void CopyPlanes(SKBitmap bitmap, int channels, Span<byte> dest)
    {
        int w = bitmap.Width, h = bitmap.Height, plane = w * h, rowBytes = bitmap.RowBytes;
        ReadOnlySpan<byte> px = bitmap.GetPixelSpan();
        for (int y = 0; y < h; y++)
        {
            var row = px.Slice(y * rowBytes, w * 4);
            for (int x = 0; x < w; x++)
            {
                byte r = row[4 * x], g = row[4 * x + 1], b = row[4 * x + 2];
                int at = y * w + x;
                if (channels == 3)
                {
                    dest[at] = r;
                    dest[plane + at] = g;
                    dest[2 * plane + at] = b;
                }
                else
                {
                    // ITU-R BT.601 luma, the weights PIL's convert("L") uses, rounded.
                    dest[at] = (byte)((299 * r + 587 * g + 114 * b + 500) / 1000);
                }
            }
        }
    }
}
