using NasPlatform.Engine.Common;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;

namespace NasPlatform.Engine.Tests.Spaces;

public class MnasSmallSpaceTests
{
    public MnasSmallSpaceTests() => TorchRuntime.EnsureLoaded();

    private static MnasSearchSpace Space(int channels, int size, int classes, object? options = null) =>
        (MnasSearchSpace)SpaceChecks.Create("mnasnet-small", channels, size, classes, options);

    [Theory]
    [MemberData(nameof(SpaceChecks.Inputs), MemberType = typeof(SpaceChecks))]
    public void SampledArchitectures_BuildRunForward_AndCountTheirParametersExactly(int channels, int size, int classes)
    {
        var space = Space(channels, size, classes);
        foreach (var arch in SpaceChecks.Samples(space, 5, 16).Append(space.ReferenceArchitecture()))
            SpaceChecks.BuildsRunsAndCountsExactly(space, arch, channels, size, classes);
    }

    [Theory]
    [InlineData(28, 1, 3, 4)]    // 28 -> 14 -> 7 -> 4: no block runs at 28 x 28
    [InlineData(27, 1, 3, 4)]
    [InlineData(32, 1, 3, 4)]    // 32 -> 16 -> 8 -> 4
    [InlineData(64, 2, 3, 4)]    // stem 32 -> 16 -> 8 -> 4
    [InlineData(224, 2, 4, 7)]   // stem 112 -> 56 -> 28 -> 14 -> 7
    public void Blocks_DownsampleEarly_ToAbout4x4(int size, int stemStride, int stride2Blocks, int finalSize)
    {
        var space = Space(3, size, 10);
        var arch = space.ReferenceArchitecture();
        Assert.Equal(stemStride, arch.StemStride);
        Assert.Equal(stride2Blocks, arch.Blocks.Count(b => b.Stride == 2));
        Assert.True(arch.Blocks[0].Stride == 2);
        var features = arch.Graph().Features;
        Assert.Equal((finalSize, finalSize), (features.Height, features.Width));
    }

    [Fact]
    public void Decisions_AreMnasNetsPerBlockChoices_ThenTheHead()
    {
        var space = Space(1, 28, 10);
        Assert.Equal(4, space.BlockCount);
        Assert.Equal(4 * MnasSearchSpace.DecisionsPerBlock + 1, space.Decisions.Count);
        Assert.Equal(["block1.op", "block1.kernel", "block1.se", "block1.skip", "block1.width", "block1.layers"],
            space.Decisions.Decisions.Take(6).Select(d => d.Name));
        Assert.Equal("head", space.Decisions.Decisions[^1].Name);
        Assert.Equal(MnasProfile.Small.HeadChoices, space.HeadWidths);

        var fixedHead = Space(1, 28, 10, new { headChannels = 64 });
        Assert.Equal(4 * MnasSearchSpace.DecisionsPerBlock, fixedHead.Decisions.Count);
        Assert.All(SpaceChecks.Samples(fixedHead, 1, 5).Cast<MnasArchitecture>(), a => Assert.Equal(64, a.HeadChannels));
    }

    [Fact]
    public void EncodeDecode_AndJson_RoundTrip()
    {
        var space = Space(3, 32, 10);
        var random = new SeededRandom(3);
        for (int i = 0; i < 30; i++)
        {
            var arch = space.Sample(random);
            Assert.Equal(arch, space.Decode(space.Encode(arch)));
            var back = space.Parse(arch.ToJson(indented: i % 2 == 0));
            Assert.Equal(arch.Hash, back.Hash);
            Assert.Equal(space.BlockCount, space.Describe(back).Rows.Count);
        }
    }

    [Fact]
    public void EachProfile_ParsesOnlyItsOwnArchitectures()
    {
        var small = Space(1, 28, 10);
        var standard = (MnasSearchSpace)SpaceChecks.Create("mnasnet", 1, 28, 10);
        string smallJson = small.ReferenceArchitecture().ToJson();
        string standardJson = standard.ReferenceArchitecture().ToJson();
        Assert.StartsWith("{\"space\":\"mnasnet-small\",", smallJson);
        Assert.Equal("mnasnet-small", MnasArchitecture.FromJson(smallJson).Space);
        Assert.Throws<FormatException>(() => standard.Parse(smallJson));
        Assert.Throws<FormatException>(() => small.Parse(standardJson));
    }

    [Fact]
    public void Options_AreChecked()
    {
        Assert.Throws<ArgumentException>(() => Space(1, 28, 10, new { widthScale = 0 }));
        Assert.Throws<ArgumentException>(() => Space(1, 28, 10, new { headChannels = 0 }));
        Assert.Throws<ArgumentException>(() => Space(1, 28, 10, new { blocks = 4 }));
        var half = Space(1, 28, 10, new { widthScale = 0.5 });
        var full = Space(1, 28, 10);
        int[] choices = full.Decisions.Decisions.Select(d => d.Cardinality - 1).ToArray();
        Assert.True(SpaceChecks.Parameters(half, half.Decode(choices)) < SpaceChecks.Parameters(full, full.Decode(choices)) / 2);
    }
}
