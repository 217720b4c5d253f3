using System.Text.Json;
using NasPlatform.Cli;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Tests.Datasets;
using Spectre.Console.Testing;

namespace NasPlatform.Engine.Tests.Cli;

public class SearchCommandTests
{
    [Fact]
    public void Search_OnTinyIdxData_LearnsAboveChanceAndWritesAValidResult()
    {
        using var tmp = new TempDir();
        var data = TinyImages.WriteIdxFolder(Path.Combine(tmp.Root, "data"),
            TinyImages.Make(400, 4, 1, 16, seed: 1), TinyImages.Make(100, 4, 1, 16, seed: 2), gzip: true);
        var outDir = Path.Combine(tmp.Root, "out");
        var console = new TestConsole();

        int code = CliApp.Run(
        [
            "search", "--data", data, "--latency-ms", "5", "--strategy", "evolution", "--trials", "3",
            "--proxy-epochs", "1", "--proxy-fraction", "0.5", "--final-epochs", "3", "--batch-size", "16",
            "--latency-runs", "5", "--threads", "2", "--seed", "3", "--out", outDir,
        ], console);

        Assert.True(code == 0, console.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        var root = json.RootElement;
        Assert.Equal("accuracy", root.GetProperty("metric").GetString());
        // The budget-relative strategy sizes are recorded as they ran: 3 trials give the smallest population, 4.
        Assert.Equal(4, root.GetProperty("search").GetProperty("strategyOptions").GetProperty("populationSize").GetInt32());
        double testAccuracy = root.GetProperty("testMetric").GetDouble();
        Assert.True(testAccuracy > 0.5, $"test accuracy {testAccuracy} is not above chance (0.25) by a margin");
        Assert.True(root.GetProperty("latencyMs").GetDouble() > 0);
        Assert.True(root.GetProperty("parameters").GetInt64() > 0);
        Assert.True(root.GetProperty("macs").GetInt64() > 0);
        Assert.True(root.GetProperty("reward").GetDouble() > 0);
        var trials = root.GetProperty("trials");
        Assert.Equal(3, trials.GetArrayLength());
        foreach (var t in trials.EnumerateArray())
        {
            MnasArchitecture.FromJson(t.GetProperty("architecture").GetRawText());
            Assert.InRange(t.GetProperty("validationMetric").GetDouble(), 0, 1);
            Assert.True(t.GetProperty("latencyMs").GetDouble() > 0);
            Assert.True(t.GetProperty("reward").GetDouble() > 0);
        }
        var arch = MnasArchitecture.FromJson(root.GetProperty("architecture").GetRawText());
        Assert.Equal(arch, MnasArchitecture.FromJson(File.ReadAllText(Path.Combine(outDir, "architecture.json"))));
        Assert.True(new FileInfo(Path.Combine(outDir, "model.bin")).Length > 1000);

        // The saved weights load back into the architecture beside them.
        using var net = Mnas.Network(arch);
        net.load(Path.Combine(outDir, "model.bin"));
        Assert.Contains("trial 3/3", console.Output);
    }

    [Theory]
    [InlineData("--latency-ms is required", "search", "--data", "x", "--out", "o")]
    [InlineData("--latency-ms must be a positive", "search", "--data", "x", "--latency-ms", "-1", "--out", "o")]
    [InlineData("--strategy 'genetic'", "search", "--data", "x", "--latency-ms", "1", "--strategy", "genetic", "--out", "o")]
    [InlineData("--space 'darts'", "search", "--data", "x", "--latency-ms", "1", "--space", "darts", "--out", "o")]
    [InlineData("PopulationSize must be >= 1", "search", "--data", "x", "--latency-ms", "1", "--strategy-option", "populationSize=0", "--out", "o")]
    [InlineData("has no option 'populaton'", "search", "--data", "x", "--latency-ms", "1", "--strategy-option", "populaton=3", "--out", "o")]
    [InlineData("--width-scale must be in (0, 4]", "search", "--data", "x", "--latency-ms", "1", "--width-scale", "9", "--out", "o")]
    [InlineData("--constraint 'medium'", "search", "--data", "x", "--latency-ms", "1", "--constraint", "medium", "--out", "o")]
    [InlineData("does not exist", "search", "--data", "/nonexistent/nowhere", "--latency-ms", "1", "--out", "o")]
    public void Search_BadArguments_ExitNonZeroWithOneLineReason(string expected, params string[] args)
    {
        // Wide enough that a reason listing every registered space is not wrapped by the console.
        var console = new TestConsole().Width(200);
        int code = CliApp.Run(args, console);
        Assert.NotEqual(0, code);
        Assert.Contains(expected, console.Output);
        Assert.Single(console.Output.Trim().Split('\n'));
    }

    [Fact]
    public void Search_SpaceList_NamesEveryRegisteredPart()
    {
        var console = new TestConsole();
        Assert.Equal(0, CliApp.Run(["search", "--space", "list"], console));
        foreach (var name in new[] { "mnasnet", "mnasnet-small", "resnet", "shufflenetv2", "random", "evolution", "mnasnet-rl", "classification" })
            Assert.Contains(name, console.Output);
    }

    [Fact]
    public void Search_MalformedData_ExitsNonZeroNamingTheProblem()
    {
        using var tmp = new TempDir();
        var data = TinyImages.WriteIdxFolder(Path.Combine(tmp.Root, "data"),
            TinyImages.Make(40, 4, 1, 16, seed: 1), TinyImages.Make(20, 4, 1, 16, seed: 2), gzip: false);
        var images = Path.Combine(data, "train-images-idx3-ubyte");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..500]);
        var console = new TestConsole();
        int code = CliApp.Run(["search", "--data", data, "--latency-ms", "1", "--out", Path.Combine(tmp.Root, "out")], console);
        Assert.NotEqual(0, code);
        Assert.Contains("truncated", console.Output, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(Path.Combine(tmp.Root, "out", "result.json")));
    }
}
