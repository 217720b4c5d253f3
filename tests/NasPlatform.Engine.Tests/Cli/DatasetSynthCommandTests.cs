using NasPlatform.Cli;
using NasPlatform.Engine.Datasets.Segmentation;
using NasPlatform.Engine.Tests.Datasets;
using NasPlatform.Engine.Tests.TestData;
using Spectre.Console.Testing;

namespace NasPlatform.Engine.Tests.Cli;

public class DatasetSynthCommandTests
{
    [Fact]
    public void DatasetsSynth_WritesASegmentationSetTheReaderAccepts_AndRefusesBadArguments()
    {
        using var tmp = new TempDir();
        var data = TinyImages.WriteIdxFolder(Path.Combine(tmp.Root, "data"),
            TinyImages.Make(50, 4, 1, 16, seed: 1), TinyImages.Make(10, 4, 1, 16, seed: 2), gzip: false);
        string outDir = Path.Combine(tmp.Root, "seg");
        var console = new TestConsole();
        int code = CliApp.Run(["datasets", "synth", "--task", "segmentation", "--from", data, "--out", outDir, "--count", "12", "--size", "40"], console);
        Assert.True(code == 0, console.Output);
        Assert.Contains("wrote 12 images of 40x40", console.Output);
        var set = SegmentationReader.Read(outDir);
        Assert.Equal(12, set.Count);
        Assert.Equal(5, set.Classes.Count); // background + the 4 item classes

        var again = new TestConsole();
        Assert.NotEqual(0, CliApp.Run(["datasets", "synth", "--from", data, "--out", outDir], again));
        Assert.Contains("not empty", again.Output);
        var unknown = new TestConsole();
        Assert.NotEqual(0, CliApp.Run(["datasets", "synth", "--task", "keypoints", "--from", data, "--out", Path.Combine(tmp.Root, "kp")], unknown));
        Assert.Contains("segmentation or detection", unknown.Output);
    }

    [Fact]
    public void DatasetsSynth_WritesADetectionSetInCocoFormat_ThatTheLoaderSplits()
    {
        using var tmp = new TempDir();
        var data = TinyImages.WriteIdxFolder(Path.Combine(tmp.Root, "data"),
            TinyImages.Make(50, 4, 1, 16, seed: 1), TinyImages.Make(10, 4, 1, 16, seed: 2), gzip: false);
        string outDir = Path.Combine(tmp.Root, "det");
        var console = new TestConsole();
        int code = CliApp.Run(["datasets", "synth", "--task", "detection", "--from", data, "--out", outDir, "--count", "12", "--size", "40"], console);
        Assert.True(code == 0, console.Output);
        Assert.Contains("wrote 12 images of 40x40", console.Output);
        Assert.True(File.Exists(Path.Combine(outDir, "annotations.json")));
        var set = NasPlatform.Engine.Datasets.Detection.CocoReader.Read(outDir);
        Assert.Equal(12, set.Count);
        Assert.Equal(4, set.Classes.Count);
        var bundle = NasPlatform.Engine.Datasets.DatasetLoader.Load(outDir);
        Assert.NotNull(bundle.Train.Boxes);
    }
}
