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
        // model.onnx is the same network: ONNX Runtime agrees with the reloaded weights, as result.json says it did.
        var onnx = root.GetProperty("onnx");
        Assert.Equal("model.onnx", onnx.GetProperty("file").GetString());
        Assert.InRange(onnx.GetProperty("maxAbsDiff").GetDouble(), 0, 1e-4);
        var check = NasPlatform.Engine.Export.OnnxExport.Check(File.ReadAllBytes(Path.Combine(outDir, "model.onnx")), net, Mnas.Candidate(arch).Graph.Input);
        Assert.True(check.Passed, $"model.onnx differs from model.bin's network by {check.MaxAbsDiff}");
        // And for PyTorch: the state dict in its format and the source that builds the network.
        Assert.True(new FileInfo(Path.Combine(outDir, "model.pt")).Length > 1000);
        Assert.Contains("def build():", File.ReadAllText(Path.Combine(outDir, "model.py")));
        Assert.Equal("model.py", root.GetProperty("pytorch").GetProperty("source").GetString());
        Assert.Contains("trial 3/3", console.Output);
        Assert.Equal("soft", root.GetProperty("outcome").GetString());
        var recipe = root.GetProperty("finalTraining").GetProperty("recipe");
        Assert.Equal(3 * 25, recipe.GetProperty("steps").GetInt64()); // 400 images in batches of 16, 3 epochs
        Assert.Equal(0.25, recipe.GetProperty("erasingProbability").GetDouble());
    }

    [Fact]
    public void Search_UnderAHardBudgetNothingKeeps_WritesTheModelButSaysOverBudget_WithItsOwnExitCode()
    {
        using var tmp = new TempDir();
        var data = TinyImages.WriteIdxFolder(Path.Combine(tmp.Root, "data"),
            TinyImages.Make(120, 3, 1, 12, seed: 1), TinyImages.Make(30, 3, 1, 12, seed: 2), gzip: false);
        var outDir = Path.Combine(tmp.Root, "out");
        var console = new TestConsole();

        int code = CliApp.Run(
        [
            "search", "--data", data, "--latency-ms", "0.0001", "--constraint", "hard", "--strategy", "random", "--trials", "3",
            "--proxy-epochs", "1", "--final-epochs", "1", "--latency-runs", "5", "--threads", "2", "--out", outDir,
        ], console);

        Assert.True(code == 3, console.Output);
        Assert.Contains("over budget", console.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        var root = json.RootElement;
        Assert.Equal("over-budget", root.GetProperty("outcome").GetString());
        Assert.False(root.GetProperty("budget").GetProperty("met").GetBoolean());
        Assert.True(File.Exists(Path.Combine(outDir, "model.bin")));
        // The first trial trains; the later ones are predicted far over budget and skipped (unless repeated).
        var trials = root.GetProperty("trials").EnumerateArray().ToList();
        Assert.False(trials[0].GetProperty("skipped").GetBoolean());
        Assert.All(trials.Skip(1).Where(t => !t.GetProperty("fromCache").GetBoolean()), t =>
        {
            Assert.True(t.GetProperty("skipped").GetBoolean());
            Assert.StartsWith("Skipped: predicted", t.GetProperty("error").GetString());
        });
        var predictor = root.GetProperty("latencyPredictor");
        Assert.Equal(1, predictor.GetProperty("observations").GetInt32());
        Assert.True(predictor.GetProperty("tableEntries").GetInt32() > 0);
    }

    [Fact]
    public void Search_WithAsha_TrainsCheapRungsFirst_PromotesTheBest_AndSelectsFromTheTopRungReached()
    {
        using var tmp = new TempDir();
        var data = TinyImages.WriteIdxFolder(Path.Combine(tmp.Root, "data"),
            TinyImages.Make(120, 3, 1, 12, seed: 1), TinyImages.Make(30, 3, 1, 12, seed: 2), gzip: false);
        var outDir = Path.Combine(tmp.Root, "out");
        var console = new TestConsole();

        int code = CliApp.Run(
        [
            "search", "--data", data, "--latency-ms", "50", "--strategy", "asha", "--base-strategy", "evolution", "--strategy-option", "rungs=2",
            "--trials", "6", "--proxy-epochs", "3", "--final-epochs", "1", "--early-stopping", "median", "--latency-runs", "5", "--threads", "2",
            "--space", "resnet", "--out", outDir,
        ], console);

        Assert.True(code == 0, console.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        var root = json.RootElement;
        var trials = root.GetProperty("trials").EnumerateArray().ToList();
        Assert.Equal(6, trials.Count);
        var rung1 = trials.Where(t => t.GetProperty("rung").GetInt32() == 1).ToList();
        Assert.NotEmpty(rung1);
        Assert.All(trials.Where(t => t.GetProperty("rung").GetInt32() == 0 && !t.GetProperty("fromCache").GetBoolean()),
            t => Assert.Equal(1, t.GetProperty("trainedEpochs").GetInt32()));
        Assert.Contains(rung1, t => t.GetProperty("trainedEpochs").GetInt32() == 3);
        // The promoted one is an architecture of rung 0, and the final model comes from the top rung reached.
        Assert.All(rung1, t => Assert.Contains(trials, r => r.GetProperty("rung").GetInt32() == 0 &&
            r.GetProperty("architectureHash").GetString() == t.GetProperty("architectureHash").GetString()));
        Assert.Contains(rung1, t => t.GetProperty("trial").GetInt32() == root.GetProperty("selectedTrial").GetInt32());
        Assert.Equal("evolution", root.GetProperty("search").GetProperty("strategyOptions").GetProperty("baseStrategy").GetString());
    }

    [Fact]
    public void Search_WithHmarlAndTheIrlasPrior_ShowsThePriorTermOnEveryTrainedTrial()
    {
        using var tmp = new TempDir();
        var data = TinyImages.WriteIdxFolder(Path.Combine(tmp.Root, "data"),
            TinyImages.Make(90, 3, 1, 12, seed: 1), TinyImages.Make(30, 3, 1, 12, seed: 2), gzip: false);
        var outDir = Path.Combine(tmp.Root, "out");
        var console = new TestConsole();

        int code = CliApp.Run(
        [
            "search", "--data", data, "--latency-ms", "50", "--strategy", "hmarl", "--prior", "irlas", "--prior-weight", "0.1",
            "--trials", "3", "--proxy-epochs", "1", "--final-epochs", "1", "--latency-runs", "5", "--threads", "2", "--space", "resnet", "--out", outDir,
        ], console);

        Assert.True(code == 0, console.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        var root = json.RootElement;
        Assert.Equal("irlas", root.GetProperty("prior").GetProperty("name").GetString());
        foreach (var trial in root.GetProperty("trials").EnumerateArray().Where(t => t.GetProperty("error").ValueKind == JsonValueKind.Null))
        {
            var terms = trial.GetProperty("rewardTerms");
            double mirror = terms.GetProperty("mirror").GetDouble();
            Assert.InRange(mirror, 0, 1);
            Assert.Equal(0.1 * mirror, terms.GetProperty("prior").GetDouble(), 9);
        }
        Assert.True(root.GetProperty("rewardTerms").TryGetProperty("prior", out _), "the final model's reward has the term too");
    }

    [Fact]
    public void Search_WithBaselines_TrainsTheZooWithTheFinalRecipe_AndSaysWhichTheModelDominates()
    {
        using var tmp = new TempDir();
        var data = TinyImages.WriteIdxFolder(Path.Combine(tmp.Root, "data"),
            TinyImages.Make(96, 3, 1, 12, seed: 1), TinyImages.Make(30, 3, 1, 12, seed: 2), gzip: false);
        var outDir = Path.Combine(tmp.Root, "out");
        var console = new TestConsole();

        int code = CliApp.Run(
        [
            "search", "--data", data, "--latency-ms", "1000", "--strategy", "random", "--trials", "1", "--space", "resnet",
            "--proxy-epochs", "1", "--final-epochs", "1", "--latency-runs", "5", "--threads", "2", "--baselines", "--out", outDir,
        ], console);

        Assert.True(code == 0, console.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        var baselines = json.RootElement.GetProperty("baselines").EnumerateArray().ToList();
        Assert.Equal(15, baselines.Count);
        Assert.Contains(baselines, b => b.GetProperty("name").GetString() == "resnet20-1x");
        foreach (var b in baselines)
        {
            Assert.True(b.GetProperty("status").GetString() == "trained", b.ToString());
            Assert.InRange(b.GetProperty("testMetric").GetDouble(), 0, 1);
            Assert.True(b.GetProperty("latencyMs").GetDouble() > 0);
            Assert.Contains(b.GetProperty("dominatedBySearch").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        }
        Assert.Contains("baseline mobilenetv2-0.5x", console.Output);
    }

    [Fact]
    public void Search_WithDarts_RunsOneSupernet_AndWritesItsDerivedCellsAsTheModel()
    {
        using var tmp = new TempDir();
        var data = TinyImages.WriteIdxFolder(Path.Combine(tmp.Root, "data"),
            TinyImages.Make(120, 3, 1, 12, seed: 1), TinyImages.Make(30, 3, 1, 12, seed: 2), gzip: false);
        var outDir = Path.Combine(tmp.Root, "out");
        var console = new TestConsole().Width(200);

        int code = CliApp.Run(
        [
            "search", "--data", data, "--latency-ms", "20", "--space", "darts", "--space-option", "cells=3", "--space-option", "channels=4",
            "--strategy", "darts", "--darts-order", "2", "--proxy-epochs", "2", "--proxy-fraction", "1", "--final-epochs", "1", "--batch-size", "16",
            "--latency-runs", "3", "--threads", "2", "--seed", "3", "--out", outDir,
        ], console);

        Assert.True(code == 0, console.Output);
        // One line per epoch with the losses and accuracy, not the 224 architecture weights.
        Assert.Contains("one-shot step 2/2: trainLoss", console.Output);
        Assert.DoesNotContain("alpha.", console.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "result.json")));
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("search").GetProperty("strategyOptions").GetProperty("dartsOrder").GetInt32());
        var trial = Assert.Single(root.GetProperty("trials").EnumerateArray());
        var arch = NasPlatform.Engine.Spaces.Darts.DartsArchitecture.FromJson(trial.GetProperty("architecture").GetRawText());
        Assert.Equal(arch, NasPlatform.Engine.Spaces.Darts.DartsArchitecture.FromJson(File.ReadAllText(Path.Combine(outDir, "architecture.json"))));
        Assert.Equal("model.onnx", root.GetProperty("onnx").GetProperty("file").GetString());
    }

    [Theory]
    [InlineData("--darts-order must be 1 or 2", "search", "--data", "x", "--latency-ms", "1", "--strategy", "darts", "--darts-order", "3", "--out", "o")]
    [InlineData("--prior 'irl' is not none or irlas", "search", "--data", "x", "--latency-ms", "1", "--prior", "irl", "--out", "o")]
    [InlineData("--prior-weight must be between 0 and 10", "search", "--data", "x", "--latency-ms", "1", "--prior", "irlas", "--prior-weight", "-2", "--out", "o")]
    [InlineData("--latency-ms is required", "search", "--data", "x", "--out", "o")]
    [InlineData("--latency-ms must be a positive", "search", "--data", "x", "--latency-ms", "-1", "--out", "o")]
    [InlineData("--strategy 'genetic'", "search", "--data", "x", "--latency-ms", "1", "--strategy", "genetic", "--out", "o")]
    [InlineData("--space 'nasbench'", "search", "--data", "x", "--latency-ms", "1", "--space", "nasbench", "--out", "o")]
    [InlineData("PopulationSize must be >= 1", "search", "--data", "x", "--latency-ms", "1", "--strategy-option", "populationSize=0", "--out", "o")]
    [InlineData("has no option 'populaton'", "search", "--data", "x", "--latency-ms", "1", "--strategy-option", "populaton=3", "--out", "o")]
    [InlineData("--width-scale must be in (0, 4]", "search", "--data", "x", "--latency-ms", "1", "--width-scale", "9", "--out", "o")]
    [InlineData("--constraint 'medium'", "search", "--data", "x", "--latency-ms", "1", "--constraint", "medium", "--out", "o")]
    [InlineData("--erasing must be in [0, 1]", "search", "--data", "x", "--latency-ms", "1", "--erasing", "2", "--out", "o")]
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
