using NasPlatform.Engine.Components;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Ops.Detection;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Spaces.NasFpn;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tasks.Detection;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Zoo;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Tests.Detection;

/// <summary>The NAS-FPN space: merging cells' shapes, the pyramid's wiring, whole detectors built and counted, their JSON, and the FPN baseline.</summary>
public class NasFpnTests
{
    private static readonly DetectionTask Task = new();

    public NasFpnTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    [InlineData(MergeOps.Sum)]
    [InlineData(MergeOps.Attention)]
    public void AMergingCell_GivesTheOutputLevelsShape_ForEveryPairOfInputLevels(string op)
    {
        var layout = AnchorLayout.For(60, 44); // odd sizes on the way down: 15x11, 8x6, 4x3, 2x2
        using var scope = NewDisposeScope();
        for (int a = layout.MinLevel; a <= layout.MaxLevel; a++)
            for (int b = layout.MinLevel; b <= layout.MaxLevel; b++)
                for (int level = layout.MinLevel; level <= layout.MaxLevel; level++)
                {
                    var (ha, wa) = layout.LevelSize(a);
                    var (hb, wb) = layout.LevelSize(b);
                    var (h, w) = layout.LevelSize(level);
                    var y = MergeOps.Apply(op, randn(2, 8, ha, wa), a, randn(2, 8, hb, wb), b, level, [h, w]);
                    Assert.Equal([2L, 8, h, w], y.shape);
                }
    }

    [Fact]
    public void Attention_GatesTheFinerInputBySigmoidOfTheCoarsersGlobalMax()
    {
        using var scope = NewDisposeScope();
        var coarse = full(1, 1, 2, 2, 1f);
        coarse[0, 0, 1, 1] = tensor(3f);
        var fine = ones(1, 1, 4, 4);
        var y = MergeOps.Apply(MergeOps.Attention, fine, 2, coarse, 3, 3, [2, 2]);
        // Fine max-pooled to 2x2 (all ones) x sigmoid(3) plus the coarse map.
        float gate = 1 / (1 + MathF.Exp(-3));
        Assert.Equal(1 + gate, y[0, 0, 0, 0].item<float>(), 5);
        Assert.Equal(3 + gate, y[0, 0, 1, 1].item<float>(), 5);
    }

    [Fact]
    public void ThePlan_SumsUnusedNodesIntoTheOutputOfTheirLevel_AndRefusesBadWiring()
    {
        // Levels 2-3: nodes 0 (C2), 1 (C3). A free cell reads C3 twice at level 2 (node 2, never read again);
        // output P3 reads C3 and node 2; output P2 reads P3 twice, so C2 (node 0, unread) is summed into it.
        var plan = new PyramidPlan(2, 3, [new(1, 1, 2, MergeOps.Sum), new(1, 2, 3, MergeOps.Sum), new(3, 3, 2, MergeOps.Attention)]);
        Assert.Equal([2, 3, 2, 3, 2], plan.NodeLevels);
        Assert.Equal([[], [], [0]], plan.Extras.Select(e => e.ToArray()));
        Assert.Equal(3, plan.OutputNode(3));
        Assert.Equal(4, plan.OutputNode(2));
        Assert.Contains("reads node 5", Assert.Throws<ArgumentException>(() => new PyramidPlan(2, 3, [new(5, 0, 3, MergeOps.Sum), new(0, 1, 2, MergeOps.Sum)])).Message);
        Assert.Contains("must output level 3", Assert.Throws<ArgumentException>(() => new PyramidPlan(2, 3, [new(0, 1, 2, MergeOps.Sum), new(0, 1, 2, MergeOps.Sum)])).Message);
        Assert.Contains("op 'max'", Assert.Throws<ArgumentException>(() => new PyramidPlan(2, 3, [new(0, 1, 3, "max"), new(0, 1, 2, MergeOps.Sum)])).Message);
        Assert.Contains("at least 2 merging cells", Assert.Throws<ArgumentException>(() => new PyramidPlan(2, 3, [new(0, 1, 3, MergeOps.Sum)])).Message);
    }

    [Theory]
    [InlineData(1, 64, 10)]
    [InlineData(3, 32, 5)]
    [InlineData(1, 27, 3)]
    public void SampledDetectors_BuildRunAndCountExactly_AndRoundTripTheirJson(int channels, int size, int classes)
    {
        var space = SpaceChecks.Create(NasFpnSearchSpace.SpaceName, channels, size, classes);
        var anchors = AnchorLayout.For(size, size).Count;
        foreach (var arch in SpaceChecks.Samples(space, 11, 3).Append(((NasFpnSearchSpace)space).Fpn(16)))
        {
            using var scope = NewDisposeScope();
            var candidate = new Candidate(arch, space.Graph(arch), Task);
            using var net = candidate.Build(1);
            net.eval();
            using var noGrad = no_grad();
            var output = net.call(randn(2, channels, size, size));
            Assert.Equal([2L, anchors, classes + 4], output.shape);
            Assert.False(output.isnan().any().item<bool>());
            Assert.Equal(Mnas.ParameterCount(net), candidate.Cost.Parameters);
            Assert.True(candidate.Cost.MultiplyAdds > 0);
            Assert.Equal(arch, space.Parse(arch.ToJson()));
            Assert.Equal(arch.Hash, space.Parse(arch.ToJson(indented: true)).Hash);
            var view = space.Describe(arch);
            Assert.Equal(((NasFpnArchitecture)arch).Cells.Count, view.Rows.Count);
            // The class logits start at the prior: sigmoid(bias) = 0.01.
            Assert.InRange(output.narrow(2, 0, classes).sigmoid().mean().item<float>(), 0.005f, 0.02f);
        }
    }

    [Fact]
    public void MalformedArchitectures_AreRefusedByName()
    {
        var space = (NasFpnSearchSpace)SpaceChecks.Create(NasFpnSearchSpace.SpaceName, 1, 64, 10);
        var json = space.Fpn(16).ToJson();
        Assert.Throws<FormatException>(() => space.Parse(json.Replace("\"input0\":3", "\"input0\":30")));
        Assert.Throws<FormatException>(() => space.Parse(json.Replace("\"op\":\"sum\"", "\"op\":\"max\"")));
        Assert.Contains("anchor levels", Assert.Throws<FormatException>(() => space.Parse(json.Replace("\"minLevel\":2", "\"minLevel\":3"))).Message);
        Assert.Throws<FormatException>(() => space.Parse("{\"space\":\"resnet\"}"));
    }

    [Fact]
    public void TheSpace_ServesOnlyDetection_AndTheZooOffersFpnThere()
    {
        Assert.Equal([DetectionTask.TaskName], SearchCatalog.BuiltIn.Spaces.Get(NasFpnSearchSpace.SpaceName).Tasks);
        var input = new SpaceInput(new FeatureShape(1, 64, 64), new TaskOutput(10));
        var members = BaselineZoo.Members(SearchCatalog.BuiltIn, input, DetectionTask.TaskName);
        Assert.Equal(["fpn-0.25x", "fpn-0.5x", "fpn-1x"], members.Select(m => m.Name));
        Assert.Equal([16, 32, 64], members.Select(m => ((NasFpnArchitecture)m.Architecture).Channels));
        Assert.DoesNotContain(BaselineZoo.Members(SearchCatalog.BuiltIn, input, "classification"), m => m.Family == "fpn");
        // Free cells are searched: inputs, level and op; output cells: inputs and op.
        var space = SpaceChecks.Create(NasFpnSearchSpace.SpaceName, 1, 64, 10);
        Assert.Equal(2 * 4 + 4 * 3, space.Decisions.Decisions.Count);
        Assert.Equal([4, 4, 4, 2], space.Decisions.Decisions.Take(4).Select(d => d.Cardinality));
    }
}
