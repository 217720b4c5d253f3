using NasPlatform.Engine.Components;
using NasPlatform.Engine.Datasets.Segmentation;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.OneShot;
using NasPlatform.Engine.OneShot.AutoDeepLab;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Spaces.AutoDeepLab;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tasks.Segmentation;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using NasPlatform.Engine.Zoo;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Tests.Segmentation;

public class AutoDeepLabTests
{
    private static readonly SegmentationTask Task = new();

    public AutoDeepLabTests() => TorchRuntime.EnsureLoaded();

    private static SegmentationSet Set(int count, int size = 24) => SegmentationSynth.Make(TinyImages.Make(40, 3, 1, 16, seed: 1), count, size, seed: 3);

    private static AutoDeepLabSearchSpace Space(int channels, int size, int classes, object? options = null) =>
        (AutoDeepLabSearchSpace)SpaceChecks.Create(AutoDeepLabSearchSpace.SpaceName, channels, size, classes, options);

    [Theory]
    [InlineData(1, 24, 4)]
    [InlineData(3, 64, 11)]
    [InlineData(3, 27, 3)] // odd sizes: levels of 7, 4 and 2 pixels, up-sampling to sizes that are not a whole multiple
    public void SampledArchitectures_BuildAPixelWiseNetwork_AndCountTheirParametersExactly(int channels, int size, int classes)
    {
        var space = Space(channels, size, classes);
        foreach (var arch in SpaceChecks.Samples(space, 5, 3))
        {
            using var scope = NewDisposeScope();
            var candidate = new Candidate(arch, space.Graph(arch), Task);
            using var net = candidate.Build(1);
            net.eval();
            using var noGrad = no_grad();
            var output = net.call(randn(2, channels, size, size));
            Assert.Equal([2L, classes, size, size], output.shape);
            Assert.False(output.isnan().any().item<bool>(), arch.ToJson());
            Assert.Equal(Mnas.ParameterCount(net), candidate.Cost.Parameters);
            Assert.Equal(arch, space.Parse(arch.ToJson()));
        }
    }

    [Fact]
    public void Decoding_ClampsThePathToTheLevels_AndDescribesEveryLayer()
    {
        var space = Space(1, 24, 4, new { layers = 5, levels = 3 });
        var d = space.Decisions.Decisions;
        // Cell choices first, then one move per layer: up at level 0 stays, down past the last level stays.
        var cell = d.Take(d.Count - 5).Select(_ => 0);
        var arch = space.Decode([.. cell, 2, 0, 0, 0, 2]);
        Assert.Equal([0, 1, 2, 2, 1], arch.Path);
        var view = space.Describe(arch);
        Assert.Contains("path 1/4 1/8 1/16 1/16 1/8", view.Summary);
        Assert.Equal(arch.Blocks + 5, view.Rows.Count);
    }

    [Theory]
    [InlineData("{\"space\":\"autodeeplab\",\"inputChannels\":1,\"inputHeight\":24,\"inputWidth\":24,\"numClasses\":4,\"levels\":3,\"channels\":8,\"asppChannels\":16,"
        + "\"cell\":[{\"op\":\"sep_conv_3x3\",\"from\":0},{\"op\":\"skip_connect\",\"from\":1}],\"path\":[0,2]}", "layer 2 of the path")]
    [InlineData("{\"space\":\"autodeeplab\",\"inputChannels\":1,\"inputHeight\":24,\"inputWidth\":24,\"numClasses\":4,\"levels\":3,\"channels\":8,\"asppChannels\":16,"
        + "\"cell\":[{\"op\":\"sep_conv_3x3\",\"from\":2},{\"op\":\"skip_connect\",\"from\":1}],\"path\":[0,1]}", "edge 0 of the cell")]
    [InlineData("{\"space\":\"autodeeplab\",\"inputChannels\":1,\"inputHeight\":24,\"inputWidth\":24,\"numClasses\":4,\"levels\":3,\"channels\":8,\"asppChannels\":16,"
        + "\"cell\":[{\"op\":\"none\",\"from\":0},{\"op\":\"skip_connect\",\"from\":1}],\"path\":[0,1]}", "edge 0 of the cell")]
    public void AnArchitectureThatCannotBeBuilt_IsRefusedNamingWhatIsWrong(string json, string message)
    {
        var e = Assert.Throws<FormatException>(() => AutoDeepLabArchitecture.FromJson(json));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void MoveWeights_AreASoftmaxOverTheMovesThatStayWithinTheLevels_AndAPlantedPathIsDecoded()
    {
        int[] planted = [1, 2, 2, 1, 0, 0];
        using var beta = zeros(planted.Length, 3, 3);
        for (int l = 0, level = 0; l < planted.Length; level = planted[l], l++) beta[l, level, AutoDeepLabSupernet.Move(level, planted[l])] = 4.0f;
        using var w = AutoDeepLabSupernet.MoveWeights(beta);
        Assert.Equal(0.0, w[.., 0, 2].abs().max().item<float>(), 6); // up from the finest level
        Assert.Equal(0.0, w[.., 2, 0].abs().max().item<float>(), 6); // down from the coarsest
        Assert.Equal(1.0, w.sum(-1).min().item<float>(), 5);
        var (levels, logWeight) = AutoDeepLabSupernet.DecodePath(beta);
        Assert.Equal(planted, levels);
        Assert.True(logWeight < 0);
    }

    [Fact]
    public void TheSupernet_ScoresEveryPixel_AndItsLossReachesEveryCellOpAndEveryPathMove()
    {
        var o = new AutoDeepLabSpaceOptions { Layers = 3, Levels = 3, Blocks = 2, Channels = 4, AsppChannels = 8 };
        using var net = TorchRuntime.Seeded(1, () => new AutoDeepLabSupernet(1, 24, 24, 4, o));
        using var alpha = (1e-3 * randn(NasPlatform.Engine.OneShot.Darts.SuperCell.EdgeCount(2), NasPlatform.Engine.Ops.Cells.CellOps.Names.Count)).requires_grad_();
        using var beta = (1e-3 * randn(3, 3, 3)).requires_grad_();
        var output = net.call(randn(2, 1, 24, 24), nn.functional.softmax(alpha, -1), AutoDeepLabSupernet.MoveWeights(beta));
        Assert.Equal([2L, 4, 24, 24], output.shape);
        output.pow(2).mean().backward();
        // The zero op contributes nothing, so only its column of alpha may be nearly flat; every other op moves the loss.
        Assert.True(alpha.grad!.narrow(1, 1, alpha.shape[1] - 1).abs().min().item<float>() > 0);
        // Layer 1 leaves level 0 only down or staying; layer 3 reaches every level from the levels layer 2 holds.
        Assert.True(beta.grad![0, 0, 0].abs().item<float>() > 0 && beta.grad[0, 0, 1].abs().item<float>() > 0);
        Assert.True(beta.grad[2, 2, 2].abs().item<float>() > 0 && beta.grad[2, 1, 0].abs().item<float>() > 0);
    }

    private static SearchOptions Options(int epochs = 2) => new()
    {
        Task = SegmentationTask.TaskName, Space = AutoDeepLabSearchSpace.SpaceName, Strategy = AutoDeepLabMethod.MethodName, LatencyBudgetMs = 20,
        ProxyEpochs = epochs, ProxyFraction = 1, FinalEpochs = 1, Threads = 2, Seed = 5,
        SpaceOptions = System.Text.Json.JsonSerializer.SerializeToElement(new { layers = 3, levels = 2, blocks = 2, channels = 4, asppChannels = 8 }),
        Training = new TrainingOptions { BatchSize = 16 }, Latency = new LatencyOptions { WarmupRuns = 1, TimedRuns = 4, Rounds = 2 },
        StrategyOptions = new() { DartsWarmupEpochs = 1 },
    };

    [Fact]
    public void ASearch_TrainsTheSupernet_DecodesCellAndPath_AndTrainsTheDerivedNetworkAsTheModel()
    {
        var events = new List<SearchEvent>();
        var bundle = SegmentationSplit.Split(Set(60));
        var result = new SearchRunner(bundle, Options(), events.Add).Run();
        using var network = result.Final.Network;

        var steps = events.OfType<OneShotStepped>().Select(s => s.Progress).ToList();
        Assert.Equal([1, 2], steps.Select(s => s.Epoch));
        var trial = Assert.Single(result.Trials);
        var arch = AutoDeepLabArchitecture.FromJson(trial.ArchitectureJson);
        Assert.Equal((2, 3, 4), (arch.Blocks, arch.Path.Count, arch.Channels));
        // What pages draw of the last step is the architecture the search derived.
        var space = SearchCatalog.BuiltIn.Spaces.Get(AutoDeepLabSearchSpace.SpaceName).Create(new SpaceInput(new FeatureShape(1, 24, 24), new TaskOutput(4)), Options().SpaceOptions);
        var view = new AutoDeepLabMethod().Describe(steps[^1], space)!;
        Assert.Equal(space.Describe(arch).Summary, view.Summary);
        Assert.InRange(result.Final.Test.Metric, 0, 1);
        Assert.True(result.Final.Test.Metrics.ContainsKey("iou0"));
        Assert.True(trial.LatencyMs > 0);
        network.eval();
        using var output = network.call(zeros(1, 1, 24, 24));
        Assert.Equal([1L, 4, 24, 24], output.shape);
    }

    [Fact]
    public void ASearch_CutAfterAnEpoch_ResumesFromItsCheckpoint_AndDerivesWhatAnUncutRunDerives()
    {
        var bundle = SegmentationSplit.Split(Set(40));
        var options = Options(3);
        var full = new SearchRunner(bundle, options).Run();
        full.Final.Network.Dispose();

        byte[]? afterOne = null;
        var cut = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => new SearchRunner(bundle, options, e =>
        {
            if (e is not OneShotStepped { Progress.Epoch: 1 } s) return;
            var buffer = new MemoryStream();
            s.Run.SaveCheckpoint(buffer);
            afterOne = buffer.ToArray();
            cut.Cancel();
        }).Run(cut.Token));
        var resumed = new SearchRunner(bundle, options, oneShotCheckpoint: new MemoryStream(afterOne!)).Run();
        resumed.Final.Network.Dispose();
        Assert.Equal(full.Selected.ArchitectureJson, resumed.Selected.ArchitectureJson);
        Assert.Equal(full.Selected.ValidationMetric, resumed.Selected.ValidationMetric);
    }

    [Fact]
    public void TheDeepLabBaseline_IsOfferedForSegmentationOnly_AndGoesDownToOutputStride16()
    {
        var input = new SpaceInput(new FeatureShape(1, 64, 64), new TaskOutput(11));
        var members = BaselineZoo.Members(SearchCatalog.BuiltIn, input, SegmentationTask.TaskName, ["deeplab"]);
        Assert.Equal(3, members.Count);
        var arch = Assert.IsType<AutoDeepLabArchitecture>(members[^1].Architecture);
        Assert.Equal([1, 2, 2, 2, 2, 2], arch.Path);
        Assert.Empty(BaselineZoo.Members(SearchCatalog.BuiltIn, input with { Output = new TaskOutput(10) }, "classification", ["deeplab"]));
    }
}
