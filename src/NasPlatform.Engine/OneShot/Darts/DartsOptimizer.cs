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
}

/// <summary>
/// The bilevel optimization of a supernet: the weights w by SGD with momentum on one half of the
/// training data, alpha by Adam on the other half, alpha's gradient first order (at the current w)
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
        _arch = optim.Adam([AlphaNormal, AlphaReduce], settings.ArchLearningRate, beta1: 0.5, beta2: 0.999, weight_decay: settings.ArchWeightDecay);
    }

    public DartsSupernet Net { get; }
    public Parameter[] Weights { get; }
    public Parameter AlphaNormal { get; }
    public Parameter AlphaReduce { get; }

    public Tensor Loss(Tensor x, Tensor y) => Loss(x, y, AlphaNormal, AlphaReduce);

    public Tensor Loss(Tensor x, Tensor y, Tensor alphaNormal, Tensor alphaReduce) =>
        _task.Loss(Logits(x, alphaNormal, alphaReduce), y, 0);

    public Tensor Logits(Tensor x, Tensor alphaNormal, Tensor alphaReduce) =>
        Net.call(x, nn.functional.softmax(alphaNormal, -1), nn.functional.softmax(alphaReduce, -1));

    /// <summary>One Adam step on alpha with the gradient of the validation loss (first or second order).</summary>
    public void StepArchitecture(Tensor trainX, Tensor trainY, Tensor valX, Tensor valY, double eta)
    {
        var (gn, gr) = AlphaGradient(trainX, trainY, valX, valY, eta);
        _arch.zero_grad();
        using (no_grad())
        {
            AlphaNormal.grad = gn;
            AlphaReduce.grad = gr;
        }
        _arch.step();
    }

    /// <summary>One SGD step on the weights with the training loss; returns the loss and the logits (for metrics).</summary>
    public (double Loss, Tensor Logits) StepWeights(Tensor x, Tensor y, double learningRate)
    {
        foreach (var w in Weights) w.grad = null;
        var logits = Logits(x, AlphaNormal.detach(), AlphaReduce.detach());
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

    /// <summary>dL_val/dalpha for both cells: at the current weights (order 1) or through one unrolled SGD step of size <paramref name="eta"/> (order 2).</summary>
    public (Tensor Normal, Tensor Reduce) AlphaGradient(Tensor trainX, Tensor trainY, Tensor valX, Tensor valY, double eta)
    {
        if (_settings.Order == 1)
        {
            using var scope = NewDisposeScope();
            var g = autograd.grad([Loss(valX, valY)], [AlphaNormal, AlphaReduce]);
            return (g[0].detach().MoveToOuterDisposeScope(), g[1].detach().MoveToOuterDisposeScope());
        }
        return Unrolled(trainX, trainY, valX, valY, eta);
    }

    private (Tensor Normal, Tensor Reduce) Unrolled(Tensor trainX, Tensor trainY, Tensor valX, Tensor valY, double eta)
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
        var valGrads = autograd.grad([Loss(valX, valY)], [AlphaNormal, AlphaReduce, .. Weights]);
        var (dn, dr) = (valGrads[0].detach(), valGrads[1].detach());
        var vector = valGrads.Skip(2).Select(v => v.detach()).ToArray();
        Restore(saved);
        var (hn, hr) = HessianVectorProduct(vector, trainX, trainY, saved);
        var normal = dn - eta * hn;
        var reduce = dr - eta * hr;
        return (normal.MoveToOuterDisposeScope(), reduce.MoveToOuterDisposeScope());
    }

    /// <summary>d2L_train/(dalpha dw) . v by central differences at w +- R v, R = step / |v| (DARTS's architect, step 0.01).</summary>
    private (Tensor Normal, Tensor Reduce) HessianVectorProduct(Tensor[] v, Tensor x, Tensor y, Tensor[] saved)
    {
        double norm = Math.Sqrt(v.Sum(t => t.pow(2).sum().ToDouble()));
        double r = _settings.HessianStep / Math.Max(norm, 1e-12);
        Tensor[] AlphaGradAt(double sign)
        {
            using (no_grad())
                for (int i = 0; i < Weights.Length; i++) Weights[i].copy_(saved[i] + sign * r * v[i]);
            return autograd.grad([Loss(x, y)], [AlphaNormal, AlphaReduce]).Select(g => g.detach()).ToArray();
        }
        var plus = AlphaGradAt(+1);
        var minus = AlphaGradAt(-1);
        Restore(saved);
        return ((plus[0] - minus[0]) / (2 * r), (plus[1] - minus[1]) / (2 * r));
    }

    private void Restore(Tensor[] saved)
    {
        using (no_grad())
            for (int i = 0; i < Weights.Length; i++) Weights[i].copy_(saved[i]);
    }

    /// <summary>Alpha, the momentum buffers and Adam's state (the weights are the network's own state dict).</summary>
    public void Save(BinaryWriter writer)
    {
        foreach (var t in (Tensor[])[AlphaNormal, AlphaReduce, .. _momentum]) t.Save(writer);
        _arch.save_state_dict(writer);
    }

    public void Load(BinaryReader reader)
    {
        using (no_grad())
            foreach (var t in (Tensor[])[AlphaNormal, AlphaReduce, .. _momentum]) t.Load(reader);
        _arch.load_state_dict(reader);
    }

    public void Dispose()
    {
        _arch.Dispose();
        foreach (var m in _momentum) m.Dispose();
        AlphaNormal.Dispose();
        AlphaReduce.Dispose();
    }
}
