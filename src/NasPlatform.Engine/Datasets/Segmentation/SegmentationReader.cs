using System.Globalization;
using System.Text.Json;
using SkiaSharp;

namespace NasPlatform.Engine.Datasets.Segmentation;

/// <summary>
/// Reads a segmentation dataset folder: images/NAME.(png|jpg|jpeg|bmp|webp), masks/NAME.png with the same stems, and
/// classes.json (["background", "cat", ...] or {"classes": [{"name": ..., "color": "#rrggbb"}, ...]}). A mask holds one
/// class index per pixel: a grey PNG whose value is the index, or, when classes.json gives colours, a colour PNG
/// in those colours; 255 marks pixels not scored. Every image must have the size of the first. Each problem is
/// refused with a message naming the file; nothing partial is returned.
/// </summary>
public static class SegmentationReader
{
    public const string ImagesFolder = "images", MasksFolder = "masks", ClassesFile = "classes.json";

    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];

    public static bool Looks(string folder) =>
        Directory.Exists(Path.Combine(folder, ImagesFolder)) && Directory.Exists(Path.Combine(folder, MasksFolder));

    /// <exception cref="DatasetFormatException">The folder is not a valid segmentation dataset; the message says why.</exception>
    public static SegmentationSet Read(string folder, DatasetLimits? limits = null)
    {
        limits ??= DatasetLimits.Default;
        if (!Looks(folder)) throw new DatasetFormatException($"A segmentation dataset has an {ImagesFolder}/ and a {MasksFolder}/ folder (and {ClassesFile}).");
        var classes = ReadClasses(Path.Combine(folder, ClassesFile));
        var images = Stems(Path.Combine(folder, ImagesFolder), ImageExtensions);
        var masks = Stems(Path.Combine(folder, MasksFolder), [".png"]);
        if (images.Keys.FirstOrDefault(k => !masks.ContainsKey(k)) is { } lonely)
            throw new DatasetFormatException($"{ImagesFolder}/{Path.GetFileName(images[lonely])} has no mask ({MasksFolder}/{lonely}.png).");
        if (masks.Keys.FirstOrDefault(k => !images.ContainsKey(k)) is { } orphan)
            throw new DatasetFormatException($"{MasksFolder}/{orphan}.png has no image of the same name in {ImagesFolder}/.");
        if (images.Count == 0) throw new DatasetFormatException($"{ImagesFolder}/ holds no images.");
        if (images.Count > limits.MaxImages) throw new DatasetFormatException($"{images.Count} images; at most {limits.MaxImages} are accepted.");

        var names = images.Keys.Order(StringComparer.Ordinal).ToList();
        var (width, height, channels) = Probe(images[names[0]], limits);
        long plane = (long)width * height;
        if (names.Count * plane * (channels + 1) > limits.MaxPixelBytes)
            throw new DatasetFormatException($"{names.Count} images of {width}x{height} are more pixels than accepted.");
        var pixels = new byte[names.Count * plane * channels];
        var maskBytes = new byte[names.Count * plane];
        var colours = ColourIndex(classes);
        for (int n = 0; n < names.Count; n++)
        {
            string imageName = $"{ImagesFolder}/{Path.GetFileName(images[names[n]])}", maskName = $"{MasksFolder}/{names[n]}.png";
            var size = Size(images[names[n]], imageName);
            if (size != (width, height))
                throw new DatasetFormatException($"{imageName} is {size.Width}x{size.Height}, but the images are {width}x{height} (the first, {names[0]}): give every image one size.");
            ImageDecoder.DecodeInto(File.ReadAllBytes(images[names[n]]), imageName, channels, height, width, limits.MaxSide,
                pixels.AsSpan((int)(n * plane * channels), (int)(plane * channels)));
            ReadMask(masks[names[n]], maskName, width, height, classes.Count, colours, maskBytes.AsSpan((int)(n * plane), (int)plane));
        }
        return new SegmentationSet(pixels, maskBytes, names, classes, channels, height, width);
    }

    private static List<SegmentationClass> ReadClasses(string path)
    {
        if (!File.Exists(path)) throw new DatasetFormatException($"{ClassesFile} is missing: it names the classes the masks' indices stand for.");
        List<SegmentationClass> classes;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var list = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("classes", out var c) ? c : doc.RootElement;
            if (list.ValueKind != JsonValueKind.Array) throw new DatasetFormatException($"{ClassesFile} is a list of class names, or {{\"classes\": [...]}}.");
            classes = list.EnumerateArray().Select((e, i) => e.ValueKind switch
            {
                JsonValueKind.String => new SegmentationClass(e.GetString()!),
                JsonValueKind.Object when e.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String =>
                    new SegmentationClass(name.GetString()!, e.TryGetProperty("color", out var color) && color.ValueKind == JsonValueKind.String ? color.GetString() : null),
                _ => throw new DatasetFormatException($"{ClassesFile}: class {i} is neither a name nor an object with a \"name\"."),
            }).ToList();
        }
        catch (JsonException e)
        {
            throw new DatasetFormatException($"{ClassesFile} is not valid JSON: {e.Message}");
        }
        if (classes.Count is < 2 or > SegmentationSet.Ignore)
            throw new DatasetFormatException($"{ClassesFile} names {classes.Count} classes; a segmentation dataset has 2 to 255 (index 255 marks unscored pixels).");
        if (classes.Select(c => c.Name).Distinct().Count() != classes.Count) throw new DatasetFormatException($"{ClassesFile} names a class twice.");
        foreach (var c in classes.Where(c => c.Color is not null && ParseColour(c.Color) is null))
            throw new DatasetFormatException($"{ClassesFile}: the colour of '{c.Name}' is '{c.Color}', not #rrggbb.");
        return classes;
    }

    private static uint? ParseColour(string text) =>
        text.Length == 7 && text[0] == '#' && uint.TryParse(text.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var rgb) ? rgb : null;

    /// <summary>Colour (0xrrggbb) to class index, when every class has a colour.</summary>
    private static Dictionary<uint, byte>? ColourIndex(List<SegmentationClass> classes)
    {
        if (classes.Any(c => c.Color is null)) return null;
        var map = new Dictionary<uint, byte>();
        for (int i = 0; i < classes.Count; i++)
            if (!map.TryAdd(ParseColour(classes[i].Color!)!.Value, (byte)i))
                throw new DatasetFormatException($"{ClassesFile}: '{classes[i].Name}' has the colour of another class.");
        return map;
    }

    private static Dictionary<string, string> Stems(string folder, string[] extensions)
    {
        var stems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            string ext = Path.GetExtension(file).ToLowerInvariant();
            if (!extensions.Contains(ext)) continue;
            string stem = Path.GetFileNameWithoutExtension(file);
            if (!stems.TryAdd(stem, file))
                throw new DatasetFormatException($"{Path.GetFileName(folder)}/ holds two files named {stem} ({Path.GetFileName(stems[stem])}, {Path.GetFileName(file)}).");
        }
        return stems;
    }

    private static (int Width, int Height, int Channels) Probe(string path, DatasetLimits limits)
    {
        using var codec = SKCodec.Create(path) ?? throw new DatasetFormatException($"{ImagesFolder}/{Path.GetFileName(path)} is not a decodable image.");
        var info = codec.Info;
        if (info.Width > limits.MaxSide || info.Height > limits.MaxSide)
            throw new DatasetFormatException($"{ImagesFolder}/{Path.GetFileName(path)} is {info.Width}x{info.Height}; each side must be at most {limits.MaxSide}.");
        return (info.Width, info.Height, info.ColorType == SKColorType.Gray8 ? 1 : 3);
    }

    private static (int Width, int Height) Size(string path, string name)
    {
        using var codec = SKCodec.Create(path) ?? throw new DatasetFormatException($"{name} is not a decodable image.");
        return (codec.Info.Width, codec.Info.Height);
    }

    private static void ReadMask(string path, string name, int width, int height, int classes, Dictionary<uint, byte>? colours, Span<byte> dest)
    {
        using var codec = SKCodec.Create(path) ?? throw new DatasetFormatException($"{name} is not a decodable PNG.");
        if (codec.Info.Width != width || codec.Info.Height != height)
            throw new DatasetFormatException($"{name} is {codec.Info.Width}x{codec.Info.Height}, but its image is {width}x{height}.");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        if (codec.GetPixels(info, bitmap.GetPixels()) != SKCodecResult.Success) throw new DatasetFormatException($"{name} could not be decoded.");
        ReadOnlySpan<byte> px = bitmap.GetPixelSpan();
        int rowBytes = bitmap.RowBytes;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int at = y * rowBytes + 4 * x;
                byte r = px[at], g = px[at + 1], b = px[at + 2];
                byte index;
                if (r == g && g == b && (colours is null || r == SegmentationSet.Ignore || !colours.ContainsKey((uint)(r << 16 | g << 8 | b))))
                    index = r;
                else if (colours is not null && colours.TryGetValue((uint)(r << 16 | g << 8 | b), out var mapped))
                    index = mapped;
                else
                    throw new DatasetFormatException(colours is null
                        ? $"{name}: pixel ({x}, {y}) is a colour (#{r:x2}{g:x2}{b:x2}), but {ClassesFile} gives no colours: masks are grey, the value being the class index."
                        : $"{name}: pixel ({x}, {y}) has the colour #{r:x2}{g:x2}{b:x2}, which is no class's colour in {ClassesFile}.");
                if (index >= classes && index != SegmentationSet.Ignore)
                    throw new DatasetFormatException($"{name}: pixel ({x}, {y}) has class index {index}, but {ClassesFile} names {classes} classes (0-{classes - 1}; 255 = not scored).");
                dest[y * width + x] = index;
            }
        }
    }
}
