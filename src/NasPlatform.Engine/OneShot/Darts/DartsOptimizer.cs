using NasPlatform.Engine.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasPlatform.Engine.OneShot.Darts;

/// <summary>DARTS's training settings (Liu et al. 2019, CIFAR-10 search), all from the paper's code.</summary>
public sealed record DartsSettings
{
    public double WeightLearningRate { get; init; } = 0.025;
    public double WeightLearningRateMin { get; init; } = 0.001;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 3e-4;
    public double GradientClip { get; init; } = 5;
    public double ArchLearningRate { get; init; } = 3e-4;
    public double ArchWeightDecay { get; init; } = 1e-3;

    /// <summary>Second order: the Hessian-vector product's finite-difference step, as a length in weight space (DARTS: 0.01).</summary>
    public double HessianStep { get; init; } = 0.01;

    /// <summary>1: alpha's gradient at the current weights; 2: through one unrolled weight step.</summary>
    public int Order { get; init; } = 1;

    /// <summary>PC-DARTS's K: 1/K of the channels go through an edge's ops (1: every channel, plain DARTS).</summary>
    public int PartialChannels { get; init; } = 1;

    /// <summary>PC-DARTS's edge normalization: a weight per edge (softmax over a node's inputs) beside alpha; on with partial channels,
    /// whose sampled channels make alpha alone fluctuate.</summary>
    public bool EdgeNormalization => PartialChannels > 1;
}

/// <summary>
/// The bilevel optimization of a supernet: the weights w by SGD with momentum on one half of the
/// training data, alpha (and PC-DARTS's edge betas) by Adam on the other half, alpha's gradient first order (at the current w)
/// or second order (at w' = w - eta * (momentum step + dL_train/dw + decay), DARTS's unrolled model,
/// with the Hessian-vector product by finite differences). SGD's momentum buffers are held here,
/// because the unrolled step needs them and a checkpoint keeps them.
/// </summary>
public sealed class DartsOptimizer : IDisposable
{
    private readonly ITask _task;
    private readonly DartsSettings _settings;
    private readonly Tensor[] _momentum;
    private readonly TorchSharp.Modules.Adam _arch;

    public DartsOptimizer(DartsSupernet net, ITask task, DartsSettings settings, Device device, ScalarType dtype = ScalarType.Float32)
    {
        Net = net;
        _task = task;
        _settings = settings;
        Weights = net.parameters().ToArray();
        _momentum = Weights.Select(w => zeros_like(w)).ToArray();
        using (var init = NewDisposeScope())
        {
            // DARTS starts alpha at 1e-3 * N(0, 1): nearly uniform op weights, ties broken at random.
            AlphaNormal = new Parameter((1e-3 * randn(DartsSupernet.Edges, Ops.Cells.CellOps.Names.Count, dtype: dtype, device: device)).MoveToOuterDisposeScope());
            AlphaReduce = new Parameter((1e-3 * randn(DartsSupernet.Edges, Ops.Cells.CellOps.Names.Count, dtype: dtype, device: device)).MoveToOuterDisposeScope());
        }
        // Edge weights start equal (beta = 0) as in PC-DARTS.
        Architecture = settings.EdgeNormalization
            ? [AlphaNormal, AlphaReduce, new Parameter(zeros(DartsSupernet.Edges, dtype: dtype, device: device)), new Parameter(zeros(DartsSupernet.Edges, dtype: dtype, device: device))]
            : [AlphaNormal, AlphaReduce];
        _arch = optim.Adam(Architecture, settings.ArchLearningRate, beta1: 0.5, beta2: 0.999, weight_decay: settings.ArchWeightDecay);
    }

    /// <summary>The expected-latency term added to alpha's loss; null for none.</summary>
    public DartsLatency? Latency { get; set; }

    public DartsSupernet Net { get; }
    public Parameter[] Weights { get; }
    public Parameter AlphaNormal { get; }
    public Parameter AlphaReduce { get; }

    /// <summary>The architecture parameters: alpha of the normal and the reduction cell, then (with edge normalization) their edge betas.</summary>
    public Parameter[] Architecture { get; }

    /// <summary>Edge betas of the normal and the reduction cell; null without edge normalization.</summary>
    public (Tensor Normal, Tensor Reduce)? Betas => Architecture.Length == 4 ? (Architecture[2], Architecture[3]) : null;

    public Tensor Loss(Tensor x, Tensor y) => Loss(x, y, Architecture);

    /// <param name="architecture">Values for <see cref="Architecture"/>, in its order.</param>
    public Tensor Loss(Tensor x, Tensor y, params Tensor[] architecture) => _task.Loss(Logits(x, architecture), y, 0);

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

    /// <summary>One Adam step on the architecture parameters with the gradient of the validation loss (first or second order), plus the latency term's.</summary>
    public void StepArchitecture(Tensor trainX, Tensor trainY, Tensor valX, Tensor valY, double eta)
    {
        var grads = AlphaGradient(trainX, trainY, valX, valY, eta);
        if (Latency is { } latency)
        {
            using var scope = NewDisposeScope();
            var term = latency.Loss(nn.functional.softmax(AlphaNormal, -1), nn.functional.softmax(AlphaReduce, -1));
            if (term.requires_grad)
            {
                var g = autograd.grad([term], [AlphaNormal, AlphaReduce]);
                grads[0] = (grads[0] + g[0]).MoveToOuterDisposeScope();
                grads[1] = (grads[1] + g[1]).MoveToOuterDisposeScope();
            }
        }
        _arch.zero_grad();
        using (no_grad())
            for (int i = 0; i < Architecture.Length; i++) Architecture[i].grad = grads[i];
        _arch.step();
    }

    /// <summary>One SGD step on the weights with the training loss; returns the loss and the logits (for metrics).</summary>
    public (double Loss, Tensor Logits) StepWeights(Tensor x, Tensor y, double learningRate)
    {
        foreach (var w in Weights) w.grad = null;
        var logits = Logits(x, Architecture.Select(a => a.detach()).ToArray());
        var loss = _task.Loss(logits, y, 0);
        loss.backward();
        nn.utils.clip_grad_norm_(Weights, _settings.GradientClip);
        using (no_grad())
            for (int i = 0; i < Weights.Length; i++)
            {
                var w = Weights[i];
                if (w.grad is not { } g) continue;
                // PyTorch's SGD: d = g + decay * w; buf = momentum * buf + d; w -= lr * buf.
                var d = g.add(w, alpha: _settings.WeightDecay);
                _momentum[i].mul_(_settings.Momentum).add_(d);
                w.add_(_momentum[i], alpha: -learningRate);
            }
        return (loss.ToDouble(), logits.detach());
    }

    /// <summary>dL_val/d(architecture) in <see cref="Architecture"/>'s order: at the current weights (order 1) or through one unrolled SGD step
    /// of size <paramref name="eta"/> (order 2).</summary>
    public Tensor[] AlphaGradient(Tensor trainX, Tensor trainY, Tensor valX, Tensor valY, double eta)
    {
        if (_settings.Order == 1)
        {
            using var scope = NewDisposeScope();
            return autograd.grad([Loss(valX, valY)], Architecture).Select(g => g.detach().MoveToOuterDisposeScope()).ToArray();
        }
        return Unrolled(trainX, trainY, valX, valY, eta);
    }

    private Tensor[] Unrolled(Tensor trainX, Tensor trainY, Tensor valX, Tensor valY, double eta)
    {
        using var scope = NewDisposeScope();
        var saved = Weights.Select(w => w.detach().clone()).ToArray();
        var trainGrads = autograd.grad([Loss(trainX, trainY)], Weights);
        using (no_grad())
            for (int i = 0; i < Weights.Length; i++)
            {
                var step = _momentum[i] * _settings.Momentum + trainGrads[i] + Weights[i] * _settings.WeightDecay;
                Weights[i].add_(step, alpha: -eta);
            }
        int n = Architecture.Length;
        var valGrads = autograd.grad([Loss(valX, valY)], [.. Architecture, .. Weights]);
        var vector = valGrads.Skip(n).Select(v => v.detach()).ToArray();
        Restore(saved);
        var hessian = HessianVectorProduct(vector, trainX, trainY, saved);
        return Enumerable.Range(0, n).Select(i => (valGrads[i].detach() - eta * hessian[i]).MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>d2L_train/(dalpha dw) . v by central differences at w +- R v, R = step / |v| (DARTS's architect, step 0.01).</summary>
    private Tensor[] HessianVectorProduct(Tensor[] v, Tensor x, Tensor y, Tensor[] saved)
    {
        double norm = Math.Sqrt(v.Sum(t => t.pow(2).sum().ToDouble()));
        double r = _settings.HessianStep / Math.Max(norm, 1e-12);
        Tensor[] AlphaGradAt(double sign)
        {
            using (no_grad())
                for (int i = 0; i < Weights.Length; i++) Weights[i].copy_(saved[i] + sign * r * v[i]);
            return autograd.grad([Loss(x, y)], Architecture).Select(g => g.detach()).ToArray();
        }
        var plus = AlphaGradAt(+1);
        var minus = AlphaGradAt(-1);
        Restore(saved);
        return plus.Zip(minus, (p, m) => (p - m) / (2 * r)).ToArray();
    }

    private void Restore(Tensor[] saved)
    {
        using (no_grad())
            for (int i = 0; i < Weights.Length; i++) Weights[i].copy_(saved[i]);
    }

    /// <summary>The architecture parameters, the momentum buffers and Adam's state (the weights are the network's own state dict).</summary>
    public void Save(BinaryWriter writer)
    {
        foreach (var t in (Tensor[])[.. Architecture, .. _momentum]) t.Save(writer);
        _arch.save_state_dict(writer);
    }

    public void Load(BinaryReader reader)
    {
        using (no_grad())
            foreach (var t in (Tensor[])[.. Architecture, .. _momentum]) t.Load(reader);
        _arch.load_state_dict(reader);
    }

    public void Dispose()
    {
        _arch.Dispose();
        foreach (var m in _momentum) m.Dispose();
        foreach (var a in Architecture) a.Dispose();
    }
}
