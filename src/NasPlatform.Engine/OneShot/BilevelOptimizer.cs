using NasPlatform.Engine.Tasks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasPlatform.Engine.OneShot;

/// <summary>The bilevel optimization's settings; the defaults are DARTS's (Liu et al. 2019, CIFAR-10 search), from the paper's code.</summary>
public sealed record BilevelSettings
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

    /// <summary>1: the architecture's gradient at the current weights; 2: through one unrolled weight step.</summary>
    public int Order { get; init; } = 1;

    /// <summary>PC-DARTS's K: 1/K of the channels go through an edge's ops (1: every channel, plain DARTS).</summary>
    public int PartialChannels { get; init; } = 1;

    /// <summary>PC-DARTS's edge normalization: a weight per edge (softmax over a node's inputs) beside alpha; on with partial channels,
    /// whose sampled channels make alpha alone fluctuate.</summary>
    public bool EdgeNormalization => PartialChannels > 1;

    /// <summary>The weights' learning rate in epoch <paramref name="epoch"/> (1-based) of <paramref name="epochs"/>: cosine annealing, per epoch.</summary>
    public double LearningRate(int epoch, int epochs) =>
        WeightLearningRateMin + 0.5 * (WeightLearningRate - WeightLearningRateMin) * (1 + Math.Cos(Math.PI * (epoch - 1) / epochs));
}

/// <summary>
/// The bilevel optimization every gradient-based one-shot method shares (DARTS, Auto-DeepLab): the supernet's
/// weights w by SGD with momentum on one half of the training data, the architecture parameters by Adam on the
/// other half, their gradient first order (at the current w) or second order (at w' = w - eta * (momentum step +
/// dL_train/dw + decay), DARTS's unrolled model, with the Hessian-vector product by finite differences). SGD's
/// momentum buffers are held here, because the unrolled step needs them and a checkpoint keeps them. What the
/// architecture parameters mean is the method's: it passes a function from them (and images) to the network's output.
/// </summary>
public sealed class BilevelOptimizer : IDisposable
{
    private readonly ITask _task;
    private readonly BilevelSettings _settings;
    private readonly Func<Tensor, Tensor[], Tensor> _output;
    private readonly Tensor[] _momentum;
    private readonly TorchSharp.Modules.Adam _arch;

    /// <param name="output">The supernet's output for images at given values of the architecture parameters (in <paramref name="architecture"/>'s order).</param>
    public BilevelOptimizer(nn.Module net, Parameter[] architecture, Func<Tensor, Tensor[], Tensor> output, ITask task, BilevelSettings settings)
    {
        _task = task;
        _settings = settings;
        _output = output;
        Weights = net.parameters().ToArray();
        _momentum = Weights.Select(w => zeros_like(w)).ToArray();
        Architecture = architecture;
        _arch = optim.Adam(Architecture, settings.ArchLearningRate, beta1: 0.5, beta2: 0.999, weight_decay: settings.ArchWeightDecay);
    }

    public Parameter[] Weights { get; }

    public Parameter[] Architecture { get; }

    /// <summary>Gradients of an extra term of the architecture's loss (e.g. expected latency), in <see cref="Architecture"/>'s order; null: none now.</summary>
    public Func<Tensor[]?>? PenaltyGradient { get; set; }

    public Tensor Output(Tensor x, params Tensor[] architecture) => _output(x, architecture);

    public Tensor Loss(Tensor x, Tensor y) => Loss(x, y, Architecture);

    /// <param name="architecture">Values for <see cref="Architecture"/>, in its order.</param>
    public Tensor Loss(Tensor x, Tensor y, params Tensor[] architecture) => _task.Loss(_output(x, architecture), y, 0);

    /// <summary>One Adam step on the architecture parameters with the gradient of the validation loss (first or second order), plus the penalty's.</summary>
    public void StepArchitecture(Tensor trainX, Tensor trainY, Tensor valX, Tensor valY, double eta)
    {
        var grads = AlphaGradient(trainX, trainY, valX, valY, eta);
        if (PenaltyGradient?.Invoke() is { } extra)
            for (int i = 0; i < grads.Length; i++) grads[i] = grads[i] + extra[i];
        _arch.zero_grad();
        using (no_grad())
            for (int i = 0; i < Architecture.Length; i++) Architecture[i].grad = grads[i];
        _arch.step();
    }

    /// <summary>One SGD step on the weights with the training loss; returns the loss and the output (for metrics).</summary>
    public (double Loss, Tensor Output) StepWeights(Tensor x, Tensor y, double learningRate)
    {
        foreach (var w in Weights) w.grad = null;
        var output = _output(x, Architecture.Select(a => a.detach()).ToArray());
        var loss = _task.Loss(output, y, 0);
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
        return (loss.ToDouble(), output.detach());
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
