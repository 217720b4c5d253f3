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

    private static ISearchSpace Space(int channels, int size, int classes) => SpaceChecks.Create("resnet", channels, size, classes);

    [Theory]
    [MemberData(nameof(SpaceChecks.Inputs), MemberType = typeof(SpaceChecks))]
    public void SampledArchitectures_BuildRunForward_AndCountTheirParametersExactly(int channels, int size, int classes)
    {
        var space = Space(channels, size, classes);
        foreach (var arch in SpaceChecks.Samples(space, 5, 20)) SpaceChecks.BuildsRunsAndCountsExactly(space, arch, channels, size, classes);
    }

    [Fact]
    public void Architectures_RoundTripThroughJson_AndDescribeEveryStage()
    {
        var space = Space(1, 28, 10);
        foreach (var arch in SpaceChecks.Samples(space, 7, 10))
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
        long Params(ISearchSpace s) => SpaceChecks.Parameters(s, s.Decode(choices));
        Assert.True(Params(half) < Params(full) / 2);
        Assert.Throws<ArgumentException>(() => definition.Create(input, System.Text.Json.JsonSerializer.SerializeToElement(new { widthScale = 0 })));
    }
}
