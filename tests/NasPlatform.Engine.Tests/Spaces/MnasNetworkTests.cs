using NasPlatform.Engine.Common;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;
using TorchSharp;

namespace NasPlatform.Engine.Tests.Spaces;

public class MnasNetworkTests
{
    public MnasNetworkTests() => TorchRuntime.EnsureLoaded();

    public static IEnumerable<object[]> Inputs() => [[1, 28, 10], [3, 32, 10]];

    [Theory]
    [MemberData(nameof(Inputs))]
    public void EverySampledArchitecture_BuildsAndRunsForward(int channels, int size, int classes)
    {
        var space = new MnasSearchSpace(channels, size, size, classes);
        var random = new SeededRandom(11);
        var archs = Enumerable.Range(0, 40).Select(_ => space.Sample(random)).Concat(Extremes(space)).ToList();
        foreach (var arch in archs)
        {
            using var scope = torch.NewDisposeScope();
            using var net = Mnas.Network(arch);
            net.eval();
            using var noGrad = torch.no_grad();
            var output = net.call(torch.randn(2, channels, size, size));
            Assert.Equal([2L, classes], output.shape);
            Assert.False(output.isnan().any().item<bool>(), $"NaN output for {arch.Hash}");
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void AnalyticParameterCount_MatchesTheBuiltModule(int channels, int size, int classes)
    {
        var space = new MnasSearchSpace(channels, size, size, classes);
        var random = new SeededRandom(12);
        foreach (var arch in Enumerable.Range(0, 25).Select(_ => space.Sample(random)).Concat(Extremes(space)))
        {
            using var net = Mnas.Network(arch);
            Assert.Equal(Mnas.ParameterCount(net), Mnas.Cost(arch).Parameters);
        }
    }

    [Fact]
    public void MultiplyAdds_OfASingleConvLayer_MatchHandCount()
    {
        // Stem 3x3 conv 1->16 on 28x28, one conv block of 3x3 16->8 channels kept at 28x28, head 1x1 8->256, FC 256->10.
        var block = new MnasBlock(ConvOp.Conv, 3, 0, SkipOp.None, 1.0, 0, 8, 1, 1);
        var arch = new MnasArchitecture("mnasnet", 1, 28, 28, 10, 16, 1, 256, [block]);
        long expected = 28 * 28 * (9L * 1 * 16) + 28 * 28 * (9L * 16 * 8) + 28 * 28 * (8L * 256) + 256 * 10;
        Assert.Equal(expected, Mnas.Cost(arch).MultiplyAdds);
    }

    [Fact]
    public void LargerWidthChoices_IncreaseCost()
    {
        var space = new MnasSearchSpace(1, 28, 28, 10);
        var choices = space.Encode(space.ReferenceArchitecture());
        var wider = (int[])choices.Clone();
        for (int b = 0; b < space.BlockCount; b++) wider[b * MnasSearchSpace.DecisionsPerBlock + 4] = 2;
        var a = Mnas.Cost(space.Decode(choices));
        var w = Mnas.Cost(space.Decode(wider));
        Assert.True(w.Parameters > a.Parameters && w.MultiplyAdds > a.MultiplyAdds);
    }

    /// <summary>The smallest and largest corners of the space, where shape bugs hide.</summary>
    private static IEnumerable<MnasArchitecture> Extremes(MnasSearchSpace space)
    {
        var d = space.Decisions.Decisions;
        yield return space.Decode(d.Select(_ => 0).ToArray());
        yield return space.Decode(d.Select(x => x.Cardinality - 1).ToArray());
        yield return space.ReferenceArchitecture();
    }
}
