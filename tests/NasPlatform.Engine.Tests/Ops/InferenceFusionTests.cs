using NasPlatform.Engine.Components;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Zoo;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Tests.Ops;

public class InferenceFusionTests
{
    [Theory]
    [InlineData(3, 1, 1, true, false)]
    [InlineData(3, 2, 1, false, false)]
    [InlineData(3, 2, 8, true, false)] // depthwise
    [InlineData(1, 1, 1, true, true)] // zero-initialized scale
    public void AFoldedConvBn_ComputesWhatTheSeparateOneDoes_AndTrainingStillUsesTheBatchNorm(int kernel, int stride, int groups, bool act, bool zeroInit)
    {
        TorchRuntime.EnsureLoaded();
        using var module = new ConvBn(8, 8, kernel, stride, groups, act, zeroInit).Build();
        var generator = new Generator(5);
        // A few training batches, so the running statistics and the affine parameters are not the initial ones.
        module.train();
        for (int i = 0; i < 3; i++)
            using (var _ = module.call(randn([4, 8, 9, 9], generator: generator) * 3 + 1)) { }
        using (no_grad())
            foreach (var p in module.parameters()) p.add_(randn(p.shape, generator: generator) * 0.1);
        module.eval();
        using var x = randn([2, 8, 9, 9], generator: generator);
        using var separate = module.call(x);
        using (var fusion = InferenceFusion.Fold(module))
        {
            Assert.Equal(1, fusion.Count);
            Assert.True(((ConvBnModule)module).Folded);
            using var folded = module.call(x);
            Assert.True(allclose(folded, separate, rtol: 1e-4, atol: 1e-5), $"max difference {(folded - separate).abs().max().item<float>()}");
        }
        Assert.False(((ConvBnModule)module).Folded);
    }

    [Fact]
    public void AFoldedModule_InTrainingMode_StillNormalizesTheBatch_AndCountsIt()
    {
        TorchRuntime.EnsureLoaded();
        using var module = new ConvBn(2, 4, 3).Build();
        module.eval();
        using var fusion = InferenceFusion.Fold(module);
        module.train();
        using var x = randn([8, 2, 6, 6]) * 5 + 3;
        using var y = module.call(x);
        // ReLU of a batch-normalized output: about half the values are positive and their mean is near 0.8.
        Assert.InRange(y.mean().item<float>(), 0.2f, 0.6f);
        Assert.Equal(1L, module.state_dict().Single(kv => kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Value.item<long>());
    }

    [Fact]
    public void ConvBn_KeepsThePyTorchStateDictNames()
    {
        TorchRuntime.EnsureLoaded();
        using var module = new ConvBn(2, 4, 3).Build();
        Assert.Equal(["bn.bias", "bn.num_batches_tracked", "bn.running_mean", "bn.running_var", "bn.weight", "conv.weight"],
            module.state_dict().Keys.Order(StringComparer.Ordinal).ToArray());
        using var fusion = InferenceFusion.Fold(module);
        Assert.Equal(6, module.state_dict().Count);
    }

    [Fact]
    public void AWholeZooNetwork_FoldedGivesTheSameOutputs()
    {
        TorchRuntime.EnsureLoaded();
        var catalog = SearchCatalog.BuiltIn;
        var member = BaselineZoo.Members(catalog, new SpaceInput(new FeatureShape(1, 28, 28), new TaskOutput(10)), "classification", ["resnet20"])[0];
        var candidate = new Candidate(member.Architecture, member.Space.Graph(member.Architecture), catalog.Tasks.Get("classification"));
        using var net = candidate.Build(3);
        net.train();
        using (var _ = net.call(randn([16, 1, 28, 28]))) { }
        net.eval();
        using var x = randn([3, 1, 28, 28]);
        using var separate = net.call(x);
        using var fusion = InferenceFusion.Fold(net);
        Assert.True(fusion.Count > 10);
        using var folded = net.call(x);
        Assert.True(allclose(folded, separate, rtol: 1e-3, atol: 1e-4), $"max difference {(folded - separate).abs().max().item<float>()}");
    }
}
