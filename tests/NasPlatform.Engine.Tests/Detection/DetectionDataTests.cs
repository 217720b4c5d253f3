using System.Text.Json;
using NasPlatform.Engine.Common;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Datasets.Detection;
using NasPlatform.Engine.Tasks.Detection;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Training;
using SkiaSharp;

namespace NasPlatform.Engine.Tests.Detection;

/// <summary>The demo set generator, the COCO and YOLO readers (round trips and each malformed case refused by name), and boxes under augmentation.</summary>
public sealed class DetectionDataTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "nas-det-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    public static DetectionSet Synth(int count = 6, int size = 32) => DetectionSynth.Make(TinyImages.Make(40, 3, 1, 16, seed: 1), count, size, seed: 7);

    [Fact]
    public void TheGenerator_BoxesItsItemsTightly_AndTheCocoReaderReadsBackWhatWasWritten()
    {
        var set = Synth();
        Assert.All(set.Boxes, b => Assert.InRange(b.Length, 1, 3));
        for (int n = 0; n < set.Count; n++)
            foreach (var b in set.Boxes[n])
            {
                Assert.InRange(b.X1, 0, b.X2 - 1);
                Assert.InRange(b.Y2, b.Y1 + 1, 32);
                // Tight: the box's top row holds ink.
                Assert.Contains(Enumerable.Range((int)b.X1, (int)b.Width), x => set.Pixels[n * 1024 + (int)b.Y1 * 32 + x] >= DetectionSynth.InkThreshold);
            }
        DetectionSynth.WriteCoco(set, _folder);
        Assert.Equal(DatasetLoader.Detection, DatasetLoader.DetectFormat(_folder));
        var read = CocoReader.Read(_folder);
        Assert.Equal(set.Names, read.Names);
        Assert.Equal(set.Classes, read.Classes);
        Assert.Equal(set.Pixels, read.Pixels);
        for (int n = 0; n < set.Count; n++) Assert.Equal(set.Boxes[n], read.Boxes[n]);
        Assert.Equal(set.ObjectCounts(), read.ObjectCounts());
        var bundle = DatasetLoader.Load(_folder);
        Assert.Equal(set.Count, bundle.Train.Count + bundle.Test.Count);
        Assert.NotNull(bundle.Test.Boxes);
    }

    [Fact]
    public void LargerImages_AreShrunk_WithTheirBoxes()
    {
        var set = Synth(3, 32);
        DetectionSynth.WriteCoco(set, _folder);
        var read = CocoReader.Read(_folder, maxSide: 16);
        Assert.Equal((16, 16), (read.Height, read.Width));
        Assert.Equal(set.Boxes[0][0].X1 / 2, read.Boxes[0][0].X1, 4);
        Assert.Equal(set.Boxes[0][0].Y2 / 2, read.Boxes[0][0].Y2, 4);
    }

    private void WriteCoco(object json, int images = 1)
    {
        var set = Synth(images);
        DetectionSynth.WriteCoco(set, _folder);
        File.WriteAllText(Path.Combine(_folder, CocoReader.AnnotationsFile), JsonSerializer.Serialize(json));
    }

    private static object Coco(object[] annotations, object[]? images = null) => new
    {
        images = images ?? [new { id = 1, file_name = "00000.png", width = 32, height = 32 }],
        annotations,
        categories = new object[] { new { id = 7, name = "a" }, new { id = 9, name = "b" } },
    };

    [Theory]
    [InlineData("category", "has category 5, which \"categories\" does not list")]
    [InlineData("image", "is for image 3, which \"images\" does not list")]
    [InlineData("outside", "lies outside its 32x32 image")]
    [InlineData("empty", "has no area")]
    [InlineData("bbox", "\"bbox\" must be [x, y, width, height]")]
    [InlineData("missing", "image 2 (nothere.png) is not in images/")]
    [InlineData("size", "is declared 40x32 but is 32x32")]
    [InlineData("duplicate", "image id 1 is given twice")]
    public void MalformedCoco_IsRefused_NamingTheProblem(string kind, string message)
    {
        object Ann(int image = 1, int category = 7, float[]? bbox = null) => new { id = 11, image_id = image, category_id = category, bbox = bbox ?? [1f, 1, 5, 5] };
        var image1 = new { id = 1, file_name = "00000.png", width = 32, height = 32 };
        object json = kind switch
        {
            "category" => Coco([Ann(category: 5)]),
            "image" => Coco([Ann(image: 3)]),
            "outside" => Coco([Ann(bbox: [20, 20, 15, 5])]),
            "empty" => Coco([Ann(bbox: [2, 2, 0, 5])]),
            "bbox" => Coco([new { id = 11, image_id = 1, category_id = 7, bbox = new[] { 1, 2 } }]),
            "missing" => Coco([], [image1, new { id = 2, file_name = "nothere.png", width = 32, height = 32 }]),
            "size" => Coco([], [new { id = 1, file_name = "00000.png", width = 40, height = 32 }]),
            _ => Coco([], [image1, new { id = 1, file_name = "00001.png", width = 32, height = 32 }]),
        };
        WriteCoco(json, images: 2);
        var e = Assert.Throws<DatasetFormatException>(() => CocoReader.Read(_folder));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void CocoCrowdRegions_AreLeftOut_AndCategoryIdsMapToIndicesInIdOrder()
    {
        WriteCoco(Coco([
            new { id = 1, image_id = 1, category_id = 9, bbox = new[] { 1f, 1, 5, 5 } },
            new { id = 2, image_id = 1, category_id = 7, bbox = new[] { 10f, 10, 5, 5 }, iscrowd = 1 },
        ]));
        var set = CocoReader.Read(_folder);
        Assert.Equal(["a", "b"], set.Classes);
        Assert.Equal([new DetectionBox(1, 1, 1, 6, 6)], set.Boxes[0]);
    }

    private void WriteYolo(string[]? labels = null, string? classes = "a\nb\nc\n", bool orphan = false)
    {
        var set = Synth(2);
        DetectionSynth.WriteCoco(set, _folder);
        File.Delete(Path.Combine(_folder, CocoReader.AnnotationsFile));
        Directory.CreateDirectory(Path.Combine(_folder, YoloReader.LabelsFolder));
        if (classes is not null) File.WriteAllText(Path.Combine(_folder, YoloReader.ClassesFile), classes);
        File.WriteAllLines(Path.Combine(_folder, "labels", "00000.txt"), labels ?? ["1 0.5 0.5 0.25 0.5", "", "0 0.125 0.125 0.25 0.25"]);
        if (orphan) File.WriteAllText(Path.Combine(_folder, "labels", "stray.txt"), "0 0.5 0.5 0.1 0.1");
    }

    [Fact]
    public void Yolo_IsConvertedToPixelBoxes_AndAnImageWithoutLabelsHasNoObjects()
    {
        WriteYolo();
        Assert.Equal(DatasetLoader.Detection, DatasetLoader.DetectFormat(_folder));
        var set = DatasetLoader.ReadDetection(_folder);
        Assert.Equal(["a", "b", "c"], set.Classes);
        Assert.Equal([new DetectionBox(1, 12, 8, 20, 24), new DetectionBox(0, 0, 0, 8, 8)], set.Boxes[0]);
        Assert.Empty(set.Boxes[1]);
    }

    [Fact]
    public void YoloNames_AreReadFromDataYaml_InEachOfItsForms()
    {
        foreach (var yaml in new[] { "path: x\nnames: ['a', 'b', \"c\"]\n", "names:\n  - a\n  - b\n  - c\nnc: 3\n", "names:\n  0: a\n  1: b\n  2: c\n" })
        {
            WriteYolo(classes: null);
            File.WriteAllText(Path.Combine(_folder, YoloReader.DataYaml), yaml);
            Assert.Equal(["a", "b", "c"], YoloReader.Read(_folder).Classes);
            Directory.Delete(_folder, true);
        }
    }

    [Theory]
    [InlineData("7 0.5 0.5 0.2 0.2", "labels/00000.txt line 1: class '7' is not an index 0-2")]
    [InlineData("0 0.5 1.5 0.2 0.2", "'1.5' is not a fraction in [0, 1]")]
    [InlineData("0 0.5 0.5 0.2", "expected \"class cx cy width height\", found 4 values")]
    [InlineData("0 0.95 0.5 0.5 0.2", "lies outside its 32x32 image")]
    [InlineData("0 0.5 0.5 0 0.2", "has no area")]
    public void MalformedYolo_IsRefused_NamingTheFileAndLine(string line, string message)
    {
        WriteYolo([line]);
        var e = Assert.Throws<DatasetFormatException>(() => YoloReader.Read(_folder));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void YoloWithoutClassNames_OrWithAStrayLabelFile_IsRefused()
    {
        WriteYolo(classes: null);
        Assert.Contains("classes.txt", Assert.Throws<DatasetFormatException>(() => YoloReader.Read(_folder)).Message);
        Directory.Delete(_folder, true);
        WriteYolo(orphan: true);
        Assert.Contains("labels/stray.txt has no image", Assert.Throws<DatasetFormatException>(() => YoloReader.Read(_folder)).Message);
    }

    [Fact]
    public void Augmentation_ShiftsAndMirrorsEachBoxWithItsImage()
    {
        var box = new DetectionBox(2, 4, 6, 10, 20);
        // Image pixel x shows source pixel x + dx: a source box at 4-10 moves to 1-7 for dx = 3.
        Assert.Equal([new DetectionBox(2, 1, 8, 7, 22)], BatchPipeline.MoveBoxes([box], 32, 32, dy: -2, dx: 3, mirror: false));
        // Mirrored in a 32-wide image: 4-10 becomes 22-28.
        Assert.Equal([new DetectionBox(2, 22, 6, 28, 20)], BatchPipeline.MoveBoxes([box], 32, 32, 0, 0, mirror: true));
        // Pushed mostly out: dropped; partly out: clipped.
        Assert.Empty(BatchPipeline.MoveBoxes([box], 32, 32, 0, 8, false));
        Assert.Equal([new DetectionBox(2, 0, 6, 4, 20)], BatchPipeline.MoveBoxes([box], 32, 32, 0, 6, false));

        // On real batches every kept box still frames ink.
        var data = DetectionSplit.ToDataset(Synth(8));
        var batch = BatchPipeline.Build(data, [0, 1, 2, 3, 4, 5, 6, 7], new Augmentation(CropPadding: 3, Flip: true), new SeededRandom(5));
        Assert.Equal((32, 32), (batch.Height, batch.Width));
        for (int n = 0; n < 8; n++)
            foreach (var b in batch.Boxes![n])
            {
                bool ink = false;
                for (int y = (int)b.Y1; y < (int)b.Y2 && !ink; y++)
                    for (int x = (int)b.X1; x < (int)b.X2 && !ink; x++)
                        ink = batch.Images[n * 1024 + y * 32 + x] >= BatchPipeline.Normalize(DetectionSynth.InkThreshold);
                Assert.True(ink);
            }
    }
}
