using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Datasets.Segmentation;
using NasPlatform.Engine.Tests.TestData;
using SkiaSharp;

namespace NasPlatform.Engine.Tests.Segmentation;

/// <summary>The demo set generator and the segmentation dataset reader: a round trip, and each malformed case refused by name.</summary>
public sealed class SegmentationDataTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nas-seg-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private SegmentationSet Synth(int count = 6) => SegmentationSynth.Make(TinyImages.Make(40, 3, 1, 16, seed: 1), count, 32, seed: 7);

    [Fact]
    public void TheGenerator_PlacesItemsWithTheirClasses_AndTheReaderReadsBackExactlyWhatWasWritten()
    {
        var items = TinyImages.Make(40, 3, 1, 16, seed: 1);
        var set = Synth();
        Assert.Equal(["background", .. items.ClassNames], set.Classes.Select(c => c.Name));
        // Every item pixel with ink carries a class; the rest is background; every image has at least one item.
        for (int n = 0; n < set.Count; n++)
        {
            var mask = set.Masks.AsSpan(n * 32 * 32, 32 * 32);
            var image = set.Pixels.AsSpan(n * 32 * 32, 32 * 32);
            Assert.Contains(mask.ToArray(), m => m > 0);
            for (int i = 0; i < mask.Length; i++) Assert.Equal(mask[i] > 0, image[i] >= SegmentationSynth.InkThreshold);
        }
        var shares = set.PixelShares();
        Assert.Equal(1.0, shares.Sum(), 9);
        Assert.True(shares[0] > 0.3);

        SegmentationSynth.Write(set, _folder);
        var read = SegmentationReader.Read(_folder);
        Assert.Equal(set.Names, read.Names);
        Assert.Equal(set.Pixels, read.Pixels);
        Assert.Equal(set.Masks, read.Masks);
        Assert.Equal(set.Classes, read.Classes);
        Assert.Equal((1, 32, 32), (read.Channels, read.Height, read.Width));
    }

    [Fact]
    public void ColourMasks_AreMappedThroughTheClassesColours()
    {
        SegmentationSynth.Write(Synth(2), _folder);
        // Rewrite the first mask in the classes' colours.
        var set = SegmentationReader.Read(_folder);
        var colours = set.Classes.Select(c => SKColor.Parse(c.Color!)).ToArray();
        using (var bitmap = new SKBitmap(32, 32, SKColorType.Rgba8888, SKAlphaType.Unpremul))
        {
            for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) bitmap.SetPixel(x, y, colours[set.Masks[y * 32 + x]]);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(_folder, "masks", set.Names[0] + ".png"), data.ToArray());
        }
        Assert.Equal(set.Masks, SegmentationReader.Read(_folder).Masks);
    }

    public static IEnumerable<object[]> Malformed() =>
    [
        ["no classes.json", "classes.json is missing"],
        ["classes not json", "not valid JSON"],
        ["one class", "2 to 255"],
        ["image without mask", "has no mask"],
        ["mask without image", "has no image of the same name"],
        ["unknown class index", "has class index 9"],
        ["mask of another size", "but its image is 32x32"],
        ["image of another size", "give every image one size"],
        ["undecodable image", "not a decodable image"],
        ["colour mask without colours", "masks are grey"],
    ];

    [Theory]
    [MemberData(nameof(Malformed))]
    public void EachMalformedCase_IsRefused_NamingTheProblem(string @case, string message)
    {
        SegmentationSynth.Write(Synth(3), _folder);
        string images = Path.Combine(_folder, "images"), masks = Path.Combine(_folder, "masks"), classes = Path.Combine(_folder, "classes.json");
        switch (@case)
        {
            case "no classes.json": File.Delete(classes); break;
            case "classes not json": File.WriteAllText(classes, "{ classes: "); break;
            case "one class": File.WriteAllText(classes, "[\"background\"]"); break;
            case "image without mask": File.Delete(Path.Combine(masks, "00001.png")); break;
            case "mask without image": File.Delete(Path.Combine(images, "00001.png")); break;
            case "unknown class index": WriteGrey(Path.Combine(masks, "00002.png"), 32, 32, 9); break;
            case "mask of another size": WriteGrey(Path.Combine(masks, "00002.png"), 16, 16, 0); break;
            case "image of another size": WriteGrey(Path.Combine(images, "00002.png"), 40, 40, 10); WriteGrey(Path.Combine(masks, "00002.png"), 40, 40, 0); break;
            case "undecodable image": File.WriteAllBytes(Path.Combine(images, "00002.png"), [1, 2, 3, 4]); break;
            case "colour mask without colours":
                File.WriteAllText(classes, "[\"background\", \"a\", \"b\", \"c\"]");
                using (var bitmap = new SKBitmap(32, 32, SKColorType.Rgba8888, SKAlphaType.Unpremul))
                {
                    bitmap.Erase(new SKColor(200, 10, 10));
                    using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                    File.WriteAllBytes(Path.Combine(masks, "00002.png"), data.ToArray());
                }
                break;
        }
        var e = Assert.Throws<DatasetFormatException>(() => SegmentationReader.Read(_folder));
        Assert.Contains(message, e.Message);
    }

    private static void WriteGrey(string path, int width, int height, byte value)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        bitmap.GetPixelSpan().Fill(value);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }
}
