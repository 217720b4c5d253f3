using NasPlatform.Engine.Common;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Strategies;

/// <summary>
/// What the strategies' small networks (MnasNet's controller, NAO's model) are made of: parameters
/// drawn from a <see cref="SeededRandom"/>, because TorchSharp's module constructors initialise from
/// torch's process-wide generator, which trainers on other threads seed for their own purposes; and an
/// LSTM cell written out with nn.LSTMCell's equations (gate order i, f, g, o) over such parameters.
/// </summary>
internal static class SeededLayers
{
    /// <summary>A parameter of <paramref name="shape"/>, uniform in [-range, range], registered on <paramref name="owner"/>.</summary>
    public static Parameter Add(nn.Module owner, string name, SeededRandom init, double range, params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, s) => a * s);
        var values = new float[n];
        for (long i = 0; i < n; i++) values[i] = (float)((init.NextDouble() * 2 - 1) * range);
        var parameter = new Parameter(tensor(values, shape));
        owner.register_parameter(name, parameter);
        return parameter;
    }

    /// <summary>One LSTM step from its pre-activation gates (W_ih x + W_hh h + biases) and the previous cell state.</summary>
    public static (Tensor H, Tensor C) LstmStep(Tensor gates, Tensor c)
    {
        var parts = gates.chunk(4, 1);
        var cNext = parts[1].sigmoid() * c + parts[0].sigmoid() * parts[2].tanh();
        return (parts[3].sigmoid() * cNext.tanh(), cNext);
    }
}
