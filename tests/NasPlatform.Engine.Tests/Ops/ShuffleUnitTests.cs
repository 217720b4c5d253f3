using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Torch;
using TorchSharp;

namespace NasPlatform.Engine.Tests.Ops;

public class ShuffleUnitTests
{
    public ShuffleUnitTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void ChannelShuffle_InterleavesTheTwoHalves()
    {
        using var x = torch.arange(8, dtype: torch.float32).view(1, 8, 1, 1);
        using var y = ShuffleUnit.ChannelShuffle(x, 2);
        Assert.Equal([0f, 4f, 1f, 5f, 2f, 6f, 3f, 7f], y.flatten().data<float>().ToArray());
    }

    [Fact]
    public void BasicUnit_PassesTheFirstHalfUnchanged_ToTheEvenChannels()
    {
        using var scope = torch.NewDisposeScope();
        using var unit = ShuffleUnit.Basic(8, 3).Build();
        unit.eval();
        var x = torch.randn(1, 8, 5, 5);
        var y = unit.call(x);
        Assert.Equal([1L, 8, 5, 5], y.shape);
        Assert.True(y.index_select(1, torch.tensor(new long[] { 0, 2, 4, 6 })).eq(x.narrow(1, 0, 4)).all().item<bool>());
    }

    [Fact]
    public void DownsamplingUnit_HalvesTheResolution_AndSetsTheWidth()
    {
        var unit = ShuffleUnit.Downsample(24, 116, 5, 2);
        Assert.Equal(new FeatureShape(116, 14, 14), unit.Output(new FeatureShape(24, 27, 27)));
        using var module = unit.Build();
        Assert.Equal(unit.Cost(new FeatureShape(24, 27, 27)).Parameters, module.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Units_RefuseOddWidths()
    {
        Assert.Throws<ArgumentException>(() => ShuffleUnit.Basic(7, 3));
        Assert.Throws<ArgumentException>(() => ShuffleUnit.Downsample(8, 9, 3, 2));
        Assert.Throws<ArgumentException>(() => ShuffleUnit.Basic(8, 3).Output(new FeatureShape(9, 4, 4)));
    }

    [Fact]
    public void MaxPool_UsesSamePadding()
    {
        Assert.Equal(new FeatureShape(24, 56, 56), new MaxPool(3, 2).Output(new FeatureShape(24, 112, 112)));
        using var pool = new MaxPool(3, 2).Build();
        using var y = pool.call(torch.zeros(1, 24, 27, 27));
        Assert.Equal([1L, 24, 14, 14], y.shape);
    }
}
