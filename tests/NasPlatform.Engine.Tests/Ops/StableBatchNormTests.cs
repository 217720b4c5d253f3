using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Torch;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Tests.Ops;

public class StableBatchNormTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MatchesTorchSharpsBatchNorm_InTrainingAndEvaluation_WithTheSameStateDictNames(bool affine)
    {
        TorchRuntime.EnsureLoaded();
        using var ours = new StableBatchNorm2d(4, affine);
        using var theirs = nn.BatchNorm2d(4, affine: affine);
        Assert.Equal(theirs.state_dict().Keys.Order(), ours.state_dict().Keys.Order());

        var generator = new Generator(3);
        for (int step = 0; step < 3; step++)
        {
            using var x = randn([8, 4, 5, 5], generator: generator) * 2 + 1;
            using var a = ours.call(x);
            using var b = theirs.call(x);
            Assert.True(allclose(a, b, rtol: 1e-5, atol: 1e-6));
        }
        Assert.Equal(3L, ours.state_dict()["num_batches_tracked"].item<long>());
        Assert.True(allclose(ours.state_dict()["running_mean"], theirs.state_dict()["running_mean"], rtol: 1e-5, atol: 1e-6));
        Assert.True(allclose(ours.state_dict()["running_var"], theirs.state_dict()["running_var"], rtol: 1e-5, atol: 1e-6));

        ours.eval();
        theirs.eval();
        using var y = randn([2, 4, 5, 5], generator: generator);
        using var c = ours.call(y);
        using var d = theirs.call(y);
        Assert.True(allclose(c, d, rtol: 1e-5, atol: 1e-6));
        Assert.Equal(3L, ours.state_dict()["num_batches_tracked"].item<long>());
    }
}
