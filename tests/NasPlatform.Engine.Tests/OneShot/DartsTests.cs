using NasPlatform.Engine.OneShot;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.OneShot.Darts;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Spaces.Darts;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Tests.OneShot;

public class DartsTests
{
    public DartsTests() => TorchRuntime.EnsureLoaded();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AMixedOp_IsTheSoftmaxWeightedSumOfItsOps_AndTheZeroOpAddsNothing(int stride)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var mixed = new MixedOp(4, stride);
        mixed.eval();
        var x = randn(2, 4, 8, 8);
        var weights = nn.functional.softmax(randn(CellOps.Names.Count), 0);
        var expected = zeros(2, 4, 8 / stride, 8 / stride);
        for (int k = 0; k < CellOps.Names.Count; k++)
        {
            var op = mixed.OpAt(k);
            Assert.Equal(k == 0, op is null);
            if (op is not null) expected += weights[k] * op.call(x);
        }
        Assert.True(mixed.call(x, weights).allclose(expected, rtol: 1e-5, atol: 1e-6));

        var onlyZero = zeros(CellOps.Names.Count);
        onlyZero[0] = tensor(1f);
        Assert.Equal(0f, mixed.call(x, onlyZero).abs().max().item<float>());
    }

    [Theory]
    [InlineData(2, 16, "cells must be between 3 and 30")]
    [InlineData(8, 15, "channels must be an even number")]
    public void SpaceOptions_ThatCannotMakeBothCells_AreRefusedWithTheirName(int cells, int channels, string message)
    {
        var input = new SpaceInput(new FeatureShape(1, 28, 28), new TaskOutput(10));
        var e = Assert.Throws<ArgumentException>(() => new DartsDefinition().Create(input, System.Text.Json.JsonSerializer.SerializeToElement(new { cells, channels })));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Derivation_KeepsThePlantedStrongestTwoEdgesPerNode_WithTheirStrongestNonZeroOp()
    {
        var alpha = zeros(DartsSupernet.Edges, CellOps.Names.Count, dtype: ScalarType.Float64);
        // Node 1 reads 0 and 1, node 2 reads 1 and 2, node 3 reads 0 and 3, node 4 reads 2 and 4.
        (int Edge, string Op)[] planted = [(0, CellOps.SepConv3), (1, CellOps.Skip), (3, CellOps.DilConv5), (4, CellOps.MaxPool),
            (5, CellOps.SepConv5), (8, CellOps.AvgPool), (11, CellOps.DilConv3), (13, CellOps.SepConv3)];
        foreach (var (edge, op) in planted) alpha[edge, CellOps.Names.ToList().IndexOf(op)] = tensor(3.0);
        // A strong zero op must not make its edge win: DARTS ranks edges by their non-zero ops.
        alpha[2, 0] = tensor(10.0);
        alpha[9, 0] = tensor(10.0);

        var genes = DartsGenotype.Derive(alpha);
        DartsEdge[] expected =
        [
            new(CellOps.SepConv3, 0), new(CellOps.Skip, 1), new(CellOps.DilConv5, 1), new(CellOps.MaxPool, 2),
            new(CellOps.SepConv5, 0), new(CellOps.AvgPool, 3), new(CellOps.DilConv3, 2), new(CellOps.SepConv3, 4),
        ];
        Assert.Equal(expected, genes);
    }

    /// <summary>
    /// The second-order gradient is d/dalpha of L_val(w - eta * dL_train(w, alpha)/dw - eta * decay * w, alpha);
    /// central differences of that function over alpha, in double precision, must agree with it. The
    /// Hessian-vector product's own difference step is made small here: DARTS's 0.01 is an
    /// approximation whose error on a network this tiny (batch norm over 2 x 2 maps) is of the order of
    /// the gradient itself, which would hide a real mistake.
    /// </summary>
    [Fact]
    public void TheSecondOrderAlphaGradient_MatchesFiniteDifferencesOfTheUnrolledValidationLoss()
    {
        using var scope = NewDisposeScope();
        const double eta = 0.05;
        var settings = new BilevelSettings { Order = 2, HessianStep = 1e-6 };
        var (net, opt) = TorchRuntime.Seeded(11, () =>
        {
            var n = new DartsSupernet(1, cells: 3, channels: 2, classes: 3);
            n.to(ScalarType.Float64);
            return (n, new DartsOptimizer(n, Mnas.Task, settings, CPU, ScalarType.Float64));
        });
        using var _ = net;
        using var __ = opt;
        manual_seed(4);
        using (no_grad())
        {
            opt.AlphaNormal.copy_(randn_like(opt.AlphaNormal));
            opt.AlphaReduce.copy_(randn_like(opt.AlphaReduce));
        }
        var (tx, ty) = (randn(4, 1, 8, 8, dtype: ScalarType.Float64), tensor(new long[] { 0, 1, 2, 1 }));
        var (vx, vy) = (randn(4, 1, 8, 8, dtype: ScalarType.Float64), tensor(new long[] { 2, 0, 1, 0 }));

        var gradient = opt.AlphaGradient(tx, ty, vx, vy, eta);
        var (gn, gr) = (gradient[0], gradient[1]);

        double Unrolled(Tensor an, Tensor ar)
        {
            using var inner = NewDisposeScope();
            var saved = opt.Weights.Select(w => w.detach().clone()).ToArray();
            var g = autograd.grad([opt.Loss(tx, ty, an, ar)], opt.Weights);
            using (no_grad())
                for (int i = 0; i < saved.Length; i++) opt.Weights[i].sub_(eta * (g[i] + settings.WeightDecay * opt.Weights[i]));
            double loss;
            using (no_grad()) loss = opt.Loss(vx, vy, an, ar).item<double>();
            using (no_grad())
                for (int i = 0; i < saved.Length; i++) opt.Weights[i].copy_(saved[i]);
            return loss;
        }

        const double h = 1e-5;
        var first = new DartsOptimizer(net, Mnas.Task, settings with { Order = 1 }, CPU, ScalarType.Float64);
        double worst = 0, largest = 0, secondOrderTerm = 0;
        foreach (var (alpha, grad, isNormal) in new[] { (opt.AlphaNormal, gn, true), (opt.AlphaReduce, gr, false) })
            foreach (var (e, k) in new[] { (0, 4), (3, 1), (7, 6), (13, 3), (9, 0) })
            {
                var plus = alpha.detach().clone();
                plus[e, k] += h;
                var minus = alpha.detach().clone();
                minus[e, k] -= h;
                var other = (isNormal ? opt.AlphaReduce : opt.AlphaNormal).detach();
                double numeric = isNormal
                    ? (Unrolled(plus, other) - Unrolled(minus, other)) / (2 * h)
                    : (Unrolled(other, plus) - Unrolled(other, minus)) / (2 * h);
                double analytic = grad[e, k].item<double>();
                worst = Math.Max(worst, Math.Abs(analytic - numeric));
                largest = Math.Max(largest, Math.Abs(numeric));
            }
        // The unrolled term matters here (the test would pass vacuously if order 2 equalled order 1).
        var (fn, _) = AlphaGradientAt(first, opt, tx, ty, vx, vy);
        secondOrderTerm = (fn - gn).abs().max().item<double>();
        Assert.True(largest > 1e-4, $"gradients too small to compare: {largest}");
        Assert.True(worst <= 1e-6 * largest, $"largest difference {worst} for gradients up to {largest}");
        Assert.True(secondOrderTerm > 1e4 * worst, $"the second-order term {secondOrderTerm} is not distinguishable from the error {worst}");
    }

    private static (Tensor Normal, Tensor Reduce) AlphaGradientAt(DartsOptimizer first, DartsOptimizer source, Tensor tx, Tensor ty, Tensor vx, Tensor vy)
    {
        using (no_grad())
        {
            first.AlphaNormal.copy_(source.AlphaNormal);
            first.AlphaReduce.copy_(source.AlphaReduce);
        }
        var g = first.AlphaGradient(tx, ty, vx, vy, 0);
        return (g[0], g[1]);
    }

    private static SearchOptions Options(int order, int partial = 1, double latencyWeight = 1) => new()
    {
        LatencyBudgetMs = 5, Space = DartsSearchSpace.SpaceName, Strategy = DartsMethod.MethodName, ProxyEpochs = 3, ProxyFraction = 1,
        FinalEpochs = 1, Threads = 2, Seed = 7,
        SpaceOptions = System.Text.Json.JsonSerializer.SerializeToElement(new { cells = 3, channels = 4 }),
        StrategyOptions = new StrategyOptions { DartsOrder = order, DartsPartialChannels = partial, DartsLatencyWeight = latencyWeight },
        Training = new TrainingOptions { BatchSize = 16 }, Latency = new LatencyOptions { WarmupRuns = 1, TimedRuns = 3 },
    };

    private static DatasetBundle Data() => new(TinyImages.Make(96, 3, 1, 12, seed: 1), TinyImages.Make(15, 3, 1, 12, seed: 2), "test");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ADartsSearch_TrainsTheSupernet_ReportsAlphaPerEdge_AndTrainsTheDerivedGenotypeAsTheModel(int order)
    {
        var events = new List<SearchEvent>();
        var result = new SearchRunner(Data(), Options(order), events.Add).Run();
        using var network = result.Final.Network;

        var steps = events.OfType<OneShotStepped>().Select(s => s.Progress).ToList();
        Assert.Equal([1, 2, 3], steps.Select(s => s.Epoch));
        // Every edge's op weights are reported and sum to one.
        var last = steps[^1].Values;
        for (int e = 0; e < DartsSupernet.Edges; e++)
            Assert.Equal(1.0, CellOps.Names.Sum(op => last[Engine.OneShot.OneShotProgress.AlphaKey("normal", e, op)]), 6);
        Assert.True(steps[^1].Values["trainLoss"] < steps[0].Values["trainLoss"], "the supernet did not learn");
        var trial = Assert.Single(result.Trials);
        var arch = DartsArchitecture.FromJson(trial.ArchitectureJson);
        Assert.Equal((3, 4), (arch.Cells, arch.Channels));
        // What pages draw of the last step is the derived genotype.
        var space = new DartsDefinition().Create(new SpaceInput(new FeatureShape(1, 12, 12), new TaskOutput(3)), Options(order).SpaceOptions);
        var cells = new DartsMethod().Describe(steps[^1], space)!.Cells!;
        Assert.Equal(arch.Normal.Select(e => (e.From, e.Op)), cells[0].Edges.Select(e => (e.From, e.Label)));
        Assert.Equal(arch.Reduce.Select(e => (e.From, e.Op)), cells[1].Edges.Select(e => (e.From, e.Label)));
        Assert.True(trial.LatencyMs > 0);
        Assert.Equal("darts finished", result.StopReason);
        Assert.InRange(result.Final.Test.Metric, 0, 1);
    }

    /// <summary>Without a latency term: a term's table is measured afresh by each run, so two runs would optimize slightly different terms.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ADartsSearch_CutAfterAnEpoch_ResumesFromItsCheckpoint_AndDerivesWhatAnUncutRunDerives(int partial)
    {
        var options = Options(1, partial, latencyWeight: 0);
        var full = new SearchRunner(Data(), options).Run();
        full.Final.Network.Dispose();

        byte[]? afterOne = null;
        var cut = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => new SearchRunner(Data(), options, e =>
        {
            if (e is not OneShotStepped { Progress.Epoch: 1 } s) return;
            var buffer = new MemoryStream();
            s.Run.SaveCheckpoint(buffer);
            afterOne = buffer.ToArray();
            cut.Cancel();
        }).Run(cut.Token));

        var epochs = new List<int>();
        var resumed = new SearchRunner(Data(), options, e => { if (e is OneShotStepped s) epochs.Add(s.Progress.Epoch); },
            oneShotCheckpoint: new MemoryStream(afterOne!)).Run();
        resumed.Final.Network.Dispose();
        Assert.Equal([2, 3], epochs);
        Assert.Equal(full.Selected.ArchitectureJson, resumed.Selected.ArchitectureJson);
        Assert.Equal(full.Selected.ValidationMetric, resumed.Selected.ValidationMetric);
    }
}
