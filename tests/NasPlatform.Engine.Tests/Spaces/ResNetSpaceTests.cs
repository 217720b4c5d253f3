using NasPlatform.Engine.Common;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Spaces.ResNet;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;
using TorchSharp;

namespace NasPlatform.Engine.Tests.Spaces;

public class ResNetSpaceTests
{
    public ResNetSpaceTests() => TorchRuntime.EnsureLoaded();

    public static IEnumerable<object[]> Inputs() => [[1, 28, 10], [3, 32, 10], [3, 64, 5], [1, 27, 3]];

    private static ISearchSpace Space(int channels, int size, int classes) =>
        SearchCatalog.BuiltIn.Spaces.Get("resnet").Create(new SpaceInput(new FeatureShape(channels, size, size), new TaskOutput(classes)), null);

    private static IEnumerable<IArchitecture> Samples(ISearchSpace space, int seed, int count)
    {
        var random = new SeededRandom(seed);
        var d = space.Decisions.Decisions;
        for (int i = 0; i < count; i++) yield return space.Decode(d.Select(x => random.Next(x.Cardinality)).ToArray());
        yield return space.Decode(d.Select(_ => 0).ToArray());
        yield return space.Decode(d.Select(x => x.Cardinality - 1).ToArray());
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void SampledArchitectures_BuildRunForward_AndCountTheirParametersExactly(int channels, int size, int classes)
    {
        var space = Space(channels, size, classes);
        foreach (var arch in Samples(space, 5, 20))
        {
            using var scope = torch.NewDisposeScope();
            var candidate = new Candidate(arch, space.Graph(arch), Mnas.Task);
            using var net = candidate.Build(1);
            net.eval();
            using var noGrad = torch.no_grad();
            var output = net.call(torch.randn(2, channels, size, size));
            Assert.Equal([2L, classes], output.shape);
            Assert.False(output.isnan().any().item<bool>(), $"NaN output for {arch.ToJson()}");
            Assert.Equal(Mnas.ParameterCount(net), candidate.Cost.Parameters);
            Assert.True(candidate.Cost.MultiplyAdds > 0);
        }
    }

    [Fact]
    public void Architectures_RoundTripThroughJson_AndDescribeEveryStage()
    {
        var space = Space(1, 28, 10);
        foreach (var arch in Samples(space, 7, 10))
        {
            var back = space.Parse(arch.ToJson());
            Assert.Equal(arch.Hash, back.Hash);
            Assert.Equal(3, space.Describe(arch).Rows.Count);
        }
        Assert.Throws<FormatException>(() => space.Parse("""{"space":"mnasnet"}"""));
    }

    [Fact]
    public void ZeroInitialisedResidualBranches_StartEveryBlockAsTheIdentityPlusShortcut()
    {
        var space = Space(1, 16, 3);
        var arch = (ResNetArchitecture)space.Decode(space.Decisions.Decisions.Select(_ => 0).ToArray());
        using var net = new Candidate(arch, space.Graph(arch), Mnas.Task).Build(1);
        var zeroed = net.named_parameters().Where(p => p.name.EndsWith("conv2.bn.weight", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(zeroed);
        Assert.All(zeroed, p => Assert.Equal(0f, p.parameter.abs().max().item<float>()));
    }

    [Fact]
    public void WidthScale_ShrinksTheNetwork_AndIsChecked()
    {
        var input = new SpaceInput(new FeatureShape(1, 28, 28), new TaskOutput(10));
        var definition = SearchCatalog.BuiltIn.Spaces.Get("resnet");
        var half = definition.Create(input, System.Text.Json.JsonSerializer.SerializeToElement(new { widthScale = 0.5 }));
        var full = definition.Create(input, null);
        int[] choices = half.Decisions.Decisions.Select(_ => 1).ToArray();
        long Params(ISearchSpace s) { var a = s.Decode(choices); return new Candidate(a, s.Graph(a), Mnas.Task).Cost.Parameters; }
        Assert.True(Params(half) < Params(full) / 2);
        Assert.Throws<ArgumentException>(() => definition.Create(input, System.Text.Json.JsonSerializer.SerializeToElement(new { widthScale = 0 })));
    }
}
