using NasPlatform.Engine.Components;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.OneShot;
using NasPlatform.Engine.OneShot.Darts;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Spaces.Darts;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Tests.OneShot;

/// <summary>PC-DARTS's partial channels and edge normalization, and the expected-latency term of alpha's loss.</summary>
public class DartsLatencyAndPartialTests
{
    public DartsLatencyAndPartialTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    [InlineData(1, 8)]
    [InlineData(2, 7)]
    public void APartialMixedOp_MixesTheFirstChannelsOnly_PassesTheRestBy_AndShufflesThem(int stride, int size)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        const int channels = 8, k = 4;
        using var mixed = new MixedOp(channels, stride, k);
        mixed.eval();
        var x = randn(2, channels, size, size);
        var weights = nn.functional.softmax(randn(CellOps.Names.Count), 0);
        var y = mixed.call(x, weights);
        int outSize = (size + stride - 1) / stride;
        Assert.Equal([2L, channels, outSize, outSize], y.shape);

        // Undo the shuffle: channel g * (C / K) + j went to j * K + g.
        var unshuffled = y.view(2, channels / k, k, outSize, outSize).transpose(1, 2).reshape(2, channels, outSize, outSize);
        var part = x.narrow(1, 0, channels / k);
        var expected = zeros(2, channels / k, outSize, outSize);
        for (int op = 1; op < CellOps.Names.Count; op++) expected += weights[op] * mixed.OpAt(op)!.call(part);
        Assert.True(unshuffled.narrow(1, 0, channels / k).allclose(expected, rtol: 1e-5, atol: 1e-6));
        var rest = x.narrow(1, channels / k, channels - channels / k);
        if (stride == 2) rest = nn.functional.max_pool2d(rest, 2, 2, ceil_mode: true);
        Assert.True(unshuffled.narrow(1, channels / k, channels - channels / k).allclose(rest));
    }

    [Fact]
    public void EdgeWeights_AreASoftmaxOverEachNodesInputs_AndScaleTheOpWeightsWhenEdgesAreRanked()
    {
        var beta = zeros(DartsSupernet.Edges, dtype: ScalarType.Float64);
        var edges = DartsGenotype.EdgeWeights(beta);
        Assert.Equal([.5, .5, 1 / 3.0, 1 / 3.0, 1 / 3.0], edges.Take(5).Select(w => Math.Round(w, 12)), new ToleranceComparer(1e-12));

        // Every edge of node 1 (edges 0 and 1) is kept anyway; on node 2 (edges 2-4) alpha prefers edges 2 and 3,
        // but a strong beta on edge 4 outweighs a slightly stronger op weight.
        var alpha = zeros(DartsSupernet.Edges, CellOps.Names.Count, dtype: ScalarType.Float64);
        alpha[2, 4] = tensor(1.0);
        alpha[3, 4] = tensor(0.9);
        alpha[4, 4] = tensor(0.8);
        Assert.Equal([0, 1], DartsGenotype.Derive(alpha).Skip(2).Take(2).Select(g => g.From));
        beta[4] = tensor(2.0);
        Assert.Equal([0, 2], DartsGenotype.Derive(alpha, beta).Skip(2).Take(2).Select(g => g.From));
    }

    private static DartsLatency Planted(double budgetMs, LatencyConstraint constraint)
    {
        // Op k on edge e costs (k + 1) ms, e / 10 more on later edges; the zero op nothing.
        double[][] Table() => Enumerable.Range(0, DartsSupernet.Edges)
            .Select(e => Enumerable.Range(0, CellOps.Names.Count).Select(k => k == 0 ? 0 : k + 1 + e / 10.0).ToArray()).ToArray();
        return new DartsLatency(2, Table(), Table(), budgetMs, constraint, 1);
    }

    [Fact]
    public void TheExpectedLatency_OfOneHotWeights_IsTheGenotypesTableLatency_AndIgnoresTheZeroOp()
    {
        var latency = Planted(10, LatencyConstraint.Soft);
        var genes = Enumerable.Range(0, 2 * DartsArchitecture.Nodes).Select(i => new DartsEdge(CellOps.Kept[i % CellOps.Kept.Count], i % 2)).ToList();
        // One-hot op weights on the kept edges; on the others any weights (they count with the kept share only).
        var w = zeros(DartsSupernet.Edges, CellOps.Names.Count, dtype: ScalarType.Float64);
        double expected = 2;
        for (int node = 0, start = 0; node < DartsArchitecture.Nodes; start += node + 2, node++)
            for (int from = 0; from < node + 2; from++)
            {
                int edge = start + from;
                int op = 1 + (edge % CellOps.Kept.Count);
                w[edge, op] = tensor(1.0);
                expected += 2 * DartsLatency.Kept(edge) * latency.Normal[edge][op];
            }
        Assert.Equal(expected, latency.Expected(w, w).item<double>(), 9);

        // Weight on the zero op changes nothing: derivation never keeps it.
        var withZero = w.clone();
        withZero[0, 0] = tensor(3.0);
        Assert.Equal(expected, latency.Expected(withZero, w).item<double>(), 9);

        double genotype = 2;
        for (int node = 0, start = 0; node < DartsArchitecture.Nodes; start += node + 2, node++)
            for (int k = 0; k < 2; k++) genotype += 2 * latency.Normal[start + genes[2 * node + k].From][CellOps.Names.ToList().IndexOf(genes[2 * node + k].Op)];
        Assert.Equal(genotype, latency.Of(genes, genes), 9);
    }

    [Fact]
    public void TheLatencyTerm_PushesAlphaTowardFasterOps_AndUnderAHardBudgetOnlyWhenOver()
    {
        foreach (var (budget, constraint, pushes) in new[] { (10.0, LatencyConstraint.Soft, true), (1000.0, LatencyConstraint.Soft, true),
                     (10.0, LatencyConstraint.Hard, true), (1000.0, LatencyConstraint.Hard, false) })
        {
            var latency = Planted(budget, constraint);
            var alpha = zeros(DartsSupernet.Edges, CellOps.Names.Count, dtype: ScalarType.Float64).requires_grad_();
            var loss = latency.Loss(nn.functional.softmax(alpha, -1), nn.functional.softmax(alpha, -1));
            var g = autograd.grad([loss], [alpha])[0];
            // Descent lowers the slowest op's alpha and raises the fastest's.
            double fastest = g[5, 1].item<double>(), slowest = g[5, CellOps.Names.Count - 1].item<double>();
            if (pushes) Assert.True(slowest > 0 && fastest < 0, $"{constraint} {budget} ms: gradients {fastest} (fastest), {slowest} (slowest)");
            else Assert.Equal(0, g.abs().max().item<double>());
        }
    }

    [Fact]
    public void MeasuringTheTerm_FillsTheTable_WithEveryEdgeOpOfTheNetwork()
    {
        var space = (DartsSearchSpace)new DartsDefinition().Create(new SpaceInput(new FeatureShape(1, 12, 12), new TaskOutput(3)),
            System.Text.Json.JsonSerializer.SerializeToElement(new { cells = 3, channels = 4 }));
        var table = new LatencyTable();
        var meter = new LatencyMeter(CPU, new LatencyOptions { WarmupRuns = 1, TimedRuns = 3, Rounds = 2 });
        var latency = DartsLatency.Measure(space, SearchCatalog.BuiltIn.Tasks.Get("classification"), meter, table,
            new LatencyTarget(1, LatencyConstraint.Hard), 1, 5, CancellationToken.None, calibrationNetworks: 3);
        Assert.True(table.Count > 20, $"{table.Count} layers");
        foreach (var cell in new[] { latency.Normal, latency.Reduce })
            foreach (var edge in cell)
            {
                Assert.Equal(0, edge[0]);
                Assert.All(edge.Skip(1), ms => Assert.True(double.IsFinite(ms)));
            }
        // A discrete network's layers are the table's keys: the whole-network latency decomposes.
        var arch = space.Decode(new int[space.Decisions.Count]);
        Assert.All(LatencyLayers.Of(space.Graph(arch)), l => Assert.True(table.TryGet(l.Key, out _), l.Key));
        Assert.True(double.IsFinite(latency.Of(arch.Normal, arch.Reduce)));
    }

    [Fact]
    public void APartialChannelSearchWithTheLatencyTerm_ReportsEdgeWeights_AndTheLatencyItSteersBy()
    {
        var options = new SearchOptions
        {
            LatencyBudgetMs = 0.5, Constraint = LatencyConstraint.Hard, Space = DartsSearchSpace.SpaceName, Strategy = DartsMethod.MethodName,
            ProxyEpochs = 2, ProxyFraction = 1, FinalEpochs = 1, Threads = 2, Seed = 3,
            SpaceOptions = System.Text.Json.JsonSerializer.SerializeToElement(new { cells = 3, channels = 4 }),
            StrategyOptions = new StrategyOptions { DartsPartialChannels = 2 },
            Training = new TrainingOptions { BatchSize = 16 }, Latency = new LatencyOptions { WarmupRuns = 1, TimedRuns = 3 },
        };
        var data = new DatasetBundle(TinyImages.Make(64, 3, 1, 12, seed: 1), TinyImages.Make(12, 3, 1, 12, seed: 2), "test");
        var steps = new List<OneShotProgress>();
        var result = new SearchRunner(data, options, e => { if (e is OneShotStepped s) steps.Add(s.Progress); }).Run();
        result.Final.Network.Dispose();

        var last = steps[^1].Values;
        // Edge weights: a softmax over each node's inputs.
        for (int node = 0, start = 0; node < DartsArchitecture.Nodes; start += node + 2, node++)
            Assert.Equal(1.0, Enumerable.Range(start, node + 2).Sum(e => last[OneShotProgress.EdgeKey("reduce", e)]), 6);
        Assert.True(last["expectedLatencyMs"] > 0 && last["derivedLatencyMs"] > 0);
        var arch = DartsArchitecture.FromJson(result.Selected.ArchitectureJson);
        var space = new DartsDefinition().Create(new SpaceInput(new FeatureShape(1, 12, 12), new TaskOutput(3)), options.SpaceOptions);
        var cells = new DartsMethod().Describe(steps[^1], space)!.Cells!;
        Assert.Equal(arch.Normal.Select(e => (e.From, e.Op)), cells[0].Edges.Select(e => (e.From, e.Label)));
    }

    [Fact]
    public void PartialChannels_ThatDoNotDivideTheWidth_AreRefusedWithTheirName()
    {
        Assert.Contains("DartsPartialChannels must be 1, 2, 4 or 8",
            Assert.Throws<ArgumentException>(() => new StrategyOptions { DartsPartialChannels = 3 }.Validate()).Message);
        var space = new DartsDefinition().Create(new SpaceInput(new FeatureShape(1, 12, 12), new TaskOutput(3)),
            System.Text.Json.JsonSerializer.SerializeToElement(new { cells = 3, channels = 6 }));
        var options = new SearchOptions
        {
            LatencyBudgetMs = 1, Space = DartsSearchSpace.SpaceName, Strategy = DartsMethod.MethodName, ProxyEpochs = 1, ProxyFraction = 1,
            StrategyOptions = new StrategyOptions { DartsPartialChannels = 4 },
        };
        var data = TinyImages.Make(24, 3, 1, 12, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => new DartsMethod().Start(new OneShotContext(space, SearchCatalog.BuiltIn.Tasks.Get("classification"),
            data, data, options, new Trainer(CPU)), null));
        Assert.Contains("dartsPartialChannels 4 must divide the space's channels (6)", e.Message);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double value) => 0;
    }
}
