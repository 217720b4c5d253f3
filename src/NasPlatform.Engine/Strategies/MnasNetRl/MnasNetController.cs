using NasPlatform.Engine.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Strategies.MnasNetRl;

/// <summary>
/// MnasNet's policy network: an LSTM cell unrolled once per decision. At step t its input is the
/// embedding of the option chosen at step t-1 (a learned start vector at t = 0), and a per-decision
/// linear head turns the hidden state into logits over that decision's options.
/// Its weights and LSTM cell are <see cref="SeededLayers"/>' (seeded, not from torch's global generator).
/// </summary>
internal sealed class MnasNetController : nn.Module
{
    private readonly int[] _cardinalities;
    // Row offset of each decision's options in the shared embedding table.
    private readonly long[] _offsets;
    private readonly Parameter _start;
    private readonly Parameter _embedding;
    private readonly Parameter _wIh, _wHh, _bIh, _bHh;
    private readonly Parameter[] _headW, _headB;
    private readonly int _hidden;

    public MnasNetController(DecisionSpace space, int embeddingSize, int hiddenSize, SeededRandom init, double initRange)
        : base(nameof(MnasNetController))
    {
        _cardinalities = space.Decisions.Select(d => d.Cardinality).ToArray();
        _offsets = new long[_cardinalities.Length];
        for (int t = 1; t < _offsets.Length; t++) _offsets[t] = _offsets[t - 1] + _cardinalities[t - 1];
        _hidden = hiddenSize;

        _start = Add("start", init, initRange, 1, embeddingSize);
        _embedding = Add("embedding", init, initRange, _cardinalities.Sum(), embeddingSize);
        _wIh = Add("lstm_w_ih", init, initRange, 4 * hiddenSize, embeddingSize);
        _wHh = Add("lstm_w_hh", init, initRange, 4 * hiddenSize, hiddenSize);
        _bIh = Add("lstm_b_ih", init, initRange, 4 * hiddenSize);
        _bHh = Add("lstm_b_hh", init, initRange, 4 * hiddenSize);
        _headW = new Parameter[_cardinalities.Length];
        _headB = new Parameter[_cardinalities.Length];
        for (int t = 0; t < _cardinalities.Length; t++)
        {
            _headW[t] = Add($"head{t}_w", init, initRange, _cardinalities[t], hiddenSize);
            _headB[t] = Add($"head{t}_b", init, initRange, _cardinalities[t]);
        }
    }

    /// <summary>
    /// Samples one vector step by step; <paramref name="pick"/> receives (decision, probabilities) and
    /// returns the chosen option. Returns the choices and their total log-probability.
    /// </summary>
    public (int[] Choices, double LogProb) Sample(Func<int, double[], int> pick)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var choices = new int[_cardinalities.Length];
        double logProb = 0;
        Tensor x = _start, h = zeros(1, _hidden), c = zeros(1, _hidden);
        for (int t = 0; t < choices.Length; t++)
        {
            (h, c) = Cell(x, h, c);
            var logits = nn.functional.log_softmax(nn.functional.linear(h, _headW[t], _headB[t]), 1);
            var lp = logits.data<float>().ToArray();
            choices[t] = pick(t, lp.Select(v => Math.Exp(v)).ToArray());
            logProb += lp[choices[t]];
            x = _embedding.index_select(0, tensor(new[] { _offsets[t] + choices[t] }));
        }

        return (choices, logProb);
    }

    /// <summary>Log-probability and entropy (summed over decisions) of each row of a [B, T] int64 batch.</summary>
    public (Tensor LogProb, Tensor Entropy) Evaluate(Tensor choices)
    {
        long b = choices.shape[0];
        Tensor x = _start.expand(b, -1), h = zeros(b, _hidden), c = zeros(b, _hidden);
        Tensor logProb = zeros(b), entropy = zeros(b);
        for (int t = 0; t < _cardinalities.Length; t++)
        {
            (h, c) = Cell(x, h, c);
            var logits = nn.functional.log_softmax(nn.functional.linear(h, _headW[t], _headB[t]), 1);
            var chosen = choices.select(1, t);
            logProb = logProb + logits.gather(1, chosen.unsqueeze(1)).squeeze(1);
            entropy = entropy - (logits.exp() * logits).sum(1);
            x = _embedding.index_select(0, chosen + _offsets[t]);
        }

        return (logProb, entropy);
    }

    /// <summary>Log-probability of one vector under the current policy, without building a graph.</summary>
    public double LogProb(IReadOnlyList<int> choices)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = tensor(choices.Select(v => (long)v).ToArray(), new long[] { 1, choices.Count });
        return Evaluate(batch).LogProb.item<float>();
    }

    private (Tensor H, Tensor C) Cell(Tensor x, Tensor h, Tensor c) =>
        SeededLayers.LstmStep(nn.functional.linear(x, _wIh, _bIh) + nn.functional.linear(h, _wHh, _bHh), c);

    private Parameter Add(string name, SeededRandom init, double range, params long[] shape) => SeededLayers.Add(this, name, init, range, shape);
}
