using NasPlatform.Engine.Components;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Spaces.ShuffleNetV2;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;

namespace NasPlatform.Engine.Tests.Spaces;

public class ShuffleNetV2SpaceTests
{
    public ShuffleNetV2SpaceTests() => TorchRuntime.EnsureLoaded();

    private static ISearchSpace Space(int channels, int size, int classes, object? options = null) =>
        SpaceChecks.Create("shufflenetv2", channels, size, classes, options);

    private static SpaceInput Input(int channels, int size, int classes) => new(new FeatureShape(channels, size, size), new TaskOutput(classes));

    [Theory]
    [MemberData(nameof(SpaceChecks.Inputs), MemberType = typeof(SpaceChecks))]
    public void SampledArchitectures_BuildRunForward_AndCountTheirParametersExactly(int channels, int size, int classes)
    {
        var space = Space(channels, size, classes);
        var archs = SpaceChecks.Samples(space, 5, 12).Append(ShuffleNetV2SearchSpace.ReferenceArchitecture(Input(channels, size, classes)));
        foreach (var arch in archs) SpaceChecks.BuildsRunsAndCountsExactly(space, arch, channels, size, classes);
    }

    [Theory]
    [InlineData(28, 1, false, 4)]   // stem 28 -> 14 -> 7 -> 4
    [InlineData(27, 1, false, 4)]   // 27 -> 14 -> 7 -> 4
    [InlineData(32, 1, false, 4)]   // 32 -> 16 -> 8 -> 4
    [InlineData(64, 2, false, 4)]   // stem 32 -> 16 -> 8 -> 4
    [InlineData(224, 2, true, 7)]   // stem 112, max-pool 56 -> 28 -> 14 -> 7, as in the paper
    [InlineData(12, 1, false, 6)]   // 12 -> 6, then no stage would keep 4 x 4 after a stride of 2
    public void StemAndStrides_FollowTheInputSize_AndNeverGoBelow4x4(int size, int stemStride, bool stemPool, int finalSize)
    {
        var arch = ShuffleNetV2SearchSpace.ReferenceArchitecture(Input(3, size, 10));
        Assert.Equal(stemStride, arch.StemStride);
        Assert.Equal(stemPool, arch.StemPool);
        Assert.Equal(new FeatureShape(1024, finalSize, finalSize), arch.Graph().Features);
    }

    [Fact]
    public void ReferenceArchitecture_IsShuffleNetV2OneX_WithTorchvisionsParameterCount()
    {
        var arch = ShuffleNetV2SearchSpace.ReferenceArchitecture(Input(3, 224, 1000));
        Assert.Equal([116, 232, 464], arch.Stages.Select(s => s.Width));
        Assert.Equal([4, 8, 4], arch.Stages.Select(s => s.Units));
        Assert.All(arch.Stages, s => Assert.Equal(3, s.Kernel));
        Assert.Equal((24, 1024), (arch.StemChannels, arch.HeadChannels));
        // torchvision's shufflenet_v2_x1_0 has 2,278,604 parameters (ImageNet, 1000 classes).
        Assert.Equal(2_278_604, new Candidate(arch, arch.Graph(), Mnas.Task).Cost.Parameters);
    }

    [Fact]
    public void Architectures_RoundTripThroughJson_AndDescribeEveryStage()
    {
        var space = Space(1, 28, 10);
        foreach (var arch in SpaceChecks.Samples(space, 7, 10))
        {
            var back = space.Parse(arch.ToJson(indented: true));
            Assert.Equal(arch, back);
            Assert.Equal(arch.Hash, back.Hash);
            var view = space.Describe(arch);
            Assert.Equal(3, view.Rows.Count);
            Assert.All(view.Rows, r => Assert.Equal(view.Columns.Count, r.Count));
        }
    }

    [Fact]
    public void Parse_RefusesOtherSpacesAndOddWidths()
    {
        var space = Space(1, 28, 10);
        Assert.Throws<FormatException>(() => space.Parse("""{"space":"resnet"}"""));
        Assert.Throws<FormatException>(() => space.Parse("not json"));
        string json = ShuffleNetV2SearchSpace.ReferenceArchitecture(Input(1, 28, 10)).ToJson();
        var ex = Assert.Throws<FormatException>(() => space.Parse(json.Replace("\"width\":116", "\"width\":115")));
        Assert.Contains("width 115", ex.Message);
    }

    [Fact]
    public void Decisions_AreWidthUnitsAndKernelPerStage_ThenTheHead()
    {
        var space = Space(1, 28, 10);
        Assert.Equal(["stage1.width", "stage1.units", "stage1.kernel"], space.Decisions.Decisions.Take(3).Select(d => d.Name));
        Assert.Equal([4, 4, 3], space.Decisions.Decisions.Take(3).Select(d => d.Cardinality));
        Assert.Equal(("head", 3), (space.Decisions.Decisions[^1].Name, space.Decisions.Decisions[^1].Cardinality));
        Assert.Throws<ArgumentException>(() => space.Decode(new int[space.Decisions.Count - 1]));
    }

    [Fact]
    public void WidthScale_ShrinksTheNetwork_KeepsWidthsEven_AndIsChecked()
    {
        var half = Space(1, 28, 10, new { widthScale = 0.5 });
        var full = Space(1, 28, 10);
        int[] choices = full.Decisions.Decisions.Select(_ => 2).ToArray();
        Assert.True(SpaceChecks.Parameters(half, half.Decode(choices)) < SpaceChecks.Parameters(full, full.Decode(choices)) / 2);
        var tiny = (ShuffleNetV2Architecture)Space(1, 28, 10, new { widthScale = 0.1 }).Decode(choices);
        Assert.All(tiny.Stages, s => Assert.Equal(0, s.Width % 4));
        Assert.Throws<ArgumentException>(() => Space(1, 28, 10, new { widthScale = 0 }));
        Assert.Throws<ArgumentException>(() => Space(1, 28, 10, new { widthScale = 5 }));
        Assert.Throws<ArgumentException>(() => Space(1, 28, 10, new { depth = 2 }));
        Assert.Throws<ArgumentException>(() => Space(1, 7, 10));
    }
}
