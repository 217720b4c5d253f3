using NasPlatform.Engine.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasPlatform.Engine.OneShot.Darts;

/// <summary>
/// DARTS's architecture parameters and their optimization: alpha of the normal and the reduction cell (and
/// PC-DARTS's edge betas), trained with the supernet's weights by the shared <see cref="BilevelOptimizer"/>,
/// plus the expected-latency term on alpha.
/// </summary>
public sealed class DartsOptimizer : IDisposable
{
    private readonly BilevelOptimizer _bilevel;

    public DartsOptimizer(DartsSupernet net, ITask task, BilevelSettings settings, Device device, ScalarType dtype = ScalarType.Float32)
    {
        Net = net;
        using (var init = NewDisposeScope())
        {
            // DARTS starts alpha at 1e-3 * N(0, 1): nearly uniform op weights, ties broken at random.
            AlphaNormal = new Parameter((1e-3 * randn(DartsSupernet.Edges, Ops.Cells.CellOps.Names.Count, dtype: dtype, device: device)).MoveToOuterDisposeScope());
            AlphaReduce = new Parameter((1e-3 * randn(DartsSupernet.Edges, Ops.Cells.CellOps.Names.Count, dtype: dtype, device: device)).MoveToOuterDisposeScope());
        }
        // Edge weights start equal (beta = 0) as in PC-DARTS.
        Parameter[] architecture = settings.EdgeNormalization
            ? [AlphaNormal, AlphaReduce, new Parameter(zeros(DartsSupernet.Edges, dtype: dtype, device: device)), new Parameter(zeros(DartsSupernet.Edges, dtype: dtype, device: device))]
            : [AlphaNormal, AlphaReduce];
        _bilevel = new BilevelOptimizer(net, architecture, Logits, task, settings) { PenaltyGradient = LatencyGradient };
    }

    /// <summary>The expected-latency term added to alpha's loss; null for none.</summary>
    public DartsLatency? Latency { get; set; }

    public DartsSupernet Net { get; }

    /// <summary>The shared optimization of the weights and <see cref="Architecture"/>.</summary>
    public BilevelOptimizer Bilevel => _bilevel;
    public Parameter[] Weights => _bilevel.Weights;
    public Parameter AlphaNormal { get; }
    public Parameter AlphaReduce { get; }

    /// <summary>The architecture parameters: alpha of the normal and the reduction cell, then (with edge normalization) their edge betas.</summary>
    public Parameter[] Architecture => _bilevel.Architecture;

    /// <summary>Edge betas of the normal and the reduction cell; null without edge normalization.</summary>
    public (Tensor Normal, Tensor Reduce)? Betas => Architecture.Length == 4 ? (Architecture[2], Architecture[3]) : null;

    public Tensor Loss(Tensor x, Tensor y) => _bilevel.Loss(x, y);

    /// <param name="architecture">Values for <see cref="Architecture"/>, in its order.</param>
    public Tensor Loss(Tensor x, Tensor y, params Tensor[] architecture) => _bilevel.Loss(x, y, architecture);

    public Tensor Logits(Tensor x, params Tensor[] architecture) =>
        Net.call(x, OpWeights(architecture[0], architecture.Length > 2 ? architecture[2] : null),
            OpWeights(architecture[1], architecture.Length > 3 ? architecture[3] : null));

    /// <summary>Edges x ops: softmax(alpha) per edge, times the edge's weight (softmax of beta over its node's inputs) when there are betas.</summary>
    public static Tensor OpWeights(Tensor alpha, Tensor? beta)
    {
        var ops = nn.functional.softmax(alpha, -1);
        return beta is null ? ops : ops * EdgeWeights(beta).unsqueeze(1);
    }

    /// <summary>softmax of beta over each node's incoming edges (2, 3, 4, 5 of them).</summary>
    public static Tensor EdgeWeights(Tensor beta)
    {
        var parts = new List<Tensor>();
        for (int node = 0, start = 0; node < Spaces.Darts.DartsArchitecture.Nodes; start += node + 2, node++)
            parts.Add(nn.functional.softmax(beta.narrow(0, start, node + 2), 0));
        return cat(parts, 0);
    }

    public void StepArchitecture(Tensor trainX, Tensor trainY, Tensor valX, Tensor valY, double eta) =>
        _bilevel.StepArchitecture(trainX, trainY, valX, valY, eta);

    public (double Loss, Tensor Logits) StepWeights(Tensor x, Tensor y, double learningRate) => _bilevel.StepWeights(x, y, learningRate);

    public Tensor[] AlphaGradient(Tensor trainX, Tensor trainY, Tensor valX, Tensor valY, double eta) =>
        _bilevel.AlphaGradient(trainX, trainY, valX, valY, eta);

    /// <summary>The latency term's gradient on alpha (the betas do not enter it).</summary>
    private Tensor[]? LatencyGradient()
    {
        if (Latency is not { } latency) return null;
        using var scope = NewDisposeScope();
        var term = latency.Loss(nn.functional.softmax(AlphaNormal, -1), nn.functional.softmax(AlphaReduce, -1));
        if (!term.requires_grad) return null;
        var g = autograd.grad([term], [AlphaNormal, AlphaReduce]);
        return Architecture.Select((a, i) => (i < 2 ? g[i] : zeros_like(a)).MoveToOuterDisposeScope()).ToArray();
    }

    public void Save(BinaryWriter writer) => _bilevel.Save(writer);

    public void Load(BinaryReader reader) => _bilevel.Load(reader);

    public void Dispose() => _bilevel.Dispose();
}
