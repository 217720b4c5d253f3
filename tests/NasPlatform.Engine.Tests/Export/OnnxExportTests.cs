using NasPlatform.Engine.Components;
using NasPlatform.Engine.Export;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Zoo;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Tests.Export;

public class OnnxExportTests
{
    public OnnxExportTests() => TorchRuntime.EnsureLoaded();

    public static IEnumerable<object[]> SpacesAndInputs() =>
        from space in SearchCatalog.BuiltIn.Spaces.Names
        from input in new[] { (1, 28, 10), (3, 32, 10), (1, 27, 3) }
        select new object[] { space, input.Item1, input.Item2, input.Item3 };

    [Theory]
    [MemberData(nameof(SpacesAndInputs))]
    public void SampledArchitecturesOfEverySpace_ExportToOnnx_ThatOnnxRuntimeRunsAsTorchSharpDoes(string spaceName, int channels, int size, int classes)
    {
        var space = SpaceChecks.Create(spaceName, channels, size, classes);
        // Two random architectures and the two corners (smallest and largest choices).
        foreach (var arch in SpaceChecks.Samples(space, 3, 2))
            AssertExportMatches(new Candidate(arch, space.Graph(arch), SpaceChecks.TaskFor(spaceName)), classes);
    }

    [Theory]
    [InlineData(1, 24, 4)]
    [InlineData(3, 27, 3)] // features of 7x7 or 4x4 up-sampled to 27x27: no whole scale factor
    [InlineData(1, 24, 4, "autodeeplab")]
    [InlineData(3, 27, 3, "autodeeplab")]
    public void SegmentationNetworks_ExportToOnnx_WithAPixelWiseOutput_ThatOnnxRuntimeRunsAsTorchSharpDoes(int channels, int size, int classes, string spaceName = "resnet")
    {
        var space = SpaceChecks.Create(spaceName, channels, size, classes);
        var task = new NasPlatform.Engine.Tasks.Segmentation.SegmentationTask();
        foreach (var arch in SpaceChecks.Samples(space, 4, 2))
        {
            var candidate = new Candidate(arch, space.Graph(arch), task);
            using var net = Trained(candidate, channels, size);
            var result = OnnxExport.Export(candidate, net, seed: 7);
            Assert.True(result.Check!.Passed, $"ONNX differs from TorchSharp by {result.Check.MaxAbsDiff:G3} for {arch.ToJson()}");
            var dims = ModelProto.Parser.ParseFrom(result.Model!).Graph.Output[0].Type.TensorType.Shape.Dim;
            Assert.Equal([classes, size, size], dims.Skip(1).Select(d => (int)d.DimValue));
        }
    }

    [Fact]
    public void EveryZooMember_ExportsToOnnx_ThatMatchesTorchSharp()
    {
        var input = new SpaceInput(new FeatureShape(3, 32, 32), new TaskOutput(10));
        foreach (var member in BaselineZoo.Members(SearchCatalog.BuiltIn, input, "classification"))
            AssertExportMatches(new Candidate(member.Architecture, member.Space.Graph(member.Architecture), Mnas.Task), 10);
    }

    [Fact]
    public void TheFile_IsOpset17_WithAFreeBatchSize_TheStateDictNames_AndTheArchitectureInItsMetadata()
    {
        var space = SpaceChecks.Create("resnet", 1, 28, 10);
        var arch = SpaceChecks.Samples(space, 5, 1).First();
        var candidate = new Candidate(arch, space.Graph(arch), Mnas.Task);
        using var net = Trained(candidate, 1, 28);
        var model = ModelProto.Parser.ParseFrom(OnnxExport.Write(candidate, net));

        Assert.Equal(17, model.OpsetImport.Single(o => o.Domain == "").Version);
        var input = model.Graph.Input.Single();
        Assert.Equal("input", input.Name);
        Assert.Equal("N", input.Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal([1L, 28, 28], input.Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue));
        Assert.Equal([10L], model.Graph.Output.Single().Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue));
        // Every trained tensor is in the file under its state-dict name (the batch counters excepted).
        var weights = net.state_dict().Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(weights, model.Graph.Initializer.Select(i => i.Name).Where(n => weights.Contains(n)).Order());
        Assert.Equal(arch.ToJson(), model.MetadataProps.Single(p => p.Key == "architecture").Value);
    }

    [Fact]
    public void TheCheck_SeesANetworkThatNoLongerMatchesItsFile()
    {
        var space = SpaceChecks.Create("mnasnet-small", 1, 28, 10);
        var arch = SpaceChecks.Samples(space, 9, 1).First();
        var candidate = new Candidate(arch, space.Graph(arch), Mnas.Task);
        using var net = Trained(candidate, 1, 28);
        var model = OnnxExport.Write(candidate, net);
        using (no_grad()) net.named_parameters().Single(p => p.name == "classifier.bias").parameter.add_(0.01);

        var check = OnnxExport.Check(model, net, candidate.Graph.Input);
        Assert.False(check.Passed);
        Assert.InRange(check.MaxAbsDiff, 0.009, 0.011);
    }

    private static void AssertExportMatches(Candidate candidate, int classes)
    {
        using var net = Trained(candidate, candidate.Graph.Input.Channels, candidate.Graph.Input.Height);
        var result = OnnxExport.Export(candidate, net, seed: 7);
        var check = result.Check!;
        Assert.True(check.Passed, $"ONNX differs from TorchSharp by {check.MaxAbsDiff:G3} for {candidate.Architecture.ToJson()}");
        Assert.Equal(OnnxExport.CheckSamples, check.Samples);
        Assert.StartsWith("ONNX Runtime ", check.Runtime);
        // A detector's output is one row per anchor (K + 4 wide); the other tasks' first axis is the classes.
        var input = candidate.Graph.Input;
        long[] expected = candidate.Task is NasPlatform.Engine.Tasks.Detection.DetectionTask
            ? [NasPlatform.Engine.Tasks.Detection.AnchorLayout.For(input.Height, input.Width).Count, classes + 4] : [classes];
        Assert.Equal(expected, ModelProto.Parser.ParseFrom(result.Model!).Graph.Output[0].Type.TensorType.Shape.Dim.Skip(1).Take(expected.Length).Select(d => d.DimValue));
    }

    /// <summary>A network whose batch norms have left their initial statistics (mean 0, variance 1, which would hide a wrong export).</summary>
    private static nn.Module<Tensor, Tensor> Trained(Candidate candidate, int channels, int size)
    {
        var net = candidate.Build(1);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        net.train();
        for (int i = 0; i < 3; i++) net.call(randn(8, channels, size, size) * 2 + 0.5);
        // Zero-initialised branch scales would hide those branches from the comparison.
        foreach (var (name, p) in net.named_parameters())
            if (name.EndsWith("bn.weight", StringComparison.Ordinal)) p.copy_(rand_like(p) + 0.5);
        net.eval();
        return net;
    }
}
