using NasPlatform.Engine.Common;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Strategies.Nao;

/// <summary>
/// NAO's three parts over a decision space (Luo et al. 2018): an LSTM encoder that reads an
/// architecture as tokens (one per decision) and maps it to a continuous embedding (the mean of its
/// outputs), an MLP predictor from the embedding to the (normalised) reward, and an LSTM decoder that
/// starts from the embedding and emits the tokens back, one head per decision. Built from
/// <see cref="SeededLayers"/>, like the MnasNet controller.
/// </summary>
internal sealed class NaoModel : nn.Module
{
    private readonly int[] _cardinalities;
    private readonly long[] _offsets;
    private readonly int _hidden;
    private readonly Parameter _embedding, _start;
    private readonly Parameter _encWih, _encWhh, _encB;
    private readonly Parameter _decWih, _decWhh, _decB;
    private readonly Parameter _p1W, _p1B, _p2W, _p2B;
    private readonly Parameter[] _headW, _headB;

    public NaoModel(DecisionSpace space, int embeddingSize, int hiddenSize, SeededRandom init) : base(nameof(NaoModel))
    {
        _cardinalities = space.Decisions.Select(d => d.Cardinality).ToArray();
        _offsets = new long[_cardinalities.Length];
        for (int t = 1; t < _offsets.Length; t++) _offsets[t] = _offsets[t - 1] + _cardinalities[t - 1];
        _hidden = hiddenSize;
        double r = 1 / Math.Sqrt(hiddenSize);
        _embedding = Add("embedding", init, r, _cardinalities.Sum(), embeddingSize);
        _start = Add("start", init, r, 1, embeddingSize);
        _encWih = Add("enc_w_ih", init, r, 4 * hiddenSize, embeddingSize);
        _encWhh = Add("enc_w_hh", init, r, 4 * hiddenSize, hiddenSize);
        _encB = Add("enc_b", init, r, 4 * hiddenSize);
        _decWih = Add("dec_w_ih", init, r, 4 * hiddenSize, embeddingSize);
        _decWhh = Add("dec_w_hh", init, r, 4 * hiddenSize, hiddenSize);
        _decB = Add("dec_b", init, r, 4 * hiddenSize);
        _p1W = Add("pred1_w", init, r, hiddenSize, hiddenSize);
        _p1B = Add("pred1_b", init, r, hiddenSize);
        _p2W = Add("pred2_w", init, r, 1, hiddenSize);
        _p2B = Add("pred2_b", init, r, 1);
        _headW = new Parameter[_cardinalities.Length];
        _headB = new Parameter[_cardinalities.Length];
        for (int t = 0; t < _cardinalities.Length; t++)
        {
            _headW[t] = Add($"head{t}_w", init, r, _cardinalities[t], hiddenSize);
            _headB[t] = Add($"head{t}_b", init, r, _cardinalities[t]);
        }
    }

    /// <summary>Token ids of a [B, T] batch of choice vectors (each decision has its own rows of the embedding table).</summary>
    public Tensor Tokens(IReadOnlyList<IReadOnlyList<int>> batch) =>
        tensor(batch.SelectMany(c => c.Select((v, t) => _offsets[t] + v)).ToArray(), [batch.Count, _cardinalities.Length]);

    /// <summary>The embedding of each row: the mean of the encoder's outputs (NAO's architecture embedding).</summary>
    public Tensor Encode(Tensor tokens)
    {
        long b = tokens.shape[0];
        Tensor h = zeros(b, _hidden), c = zeros(b, _hidden), sum = zeros(b, _hidden);
        for (int t = 0; t < _cardinalities.Length; t++)
        {
            (h, c) = Cell(_embedding.index_select(0, tokens.select(1, t)), h, c, _encWih, _encWhh, _encB);
            sum = sum + h;
        }
        return sum / _cardinalities.Length;
    }

    /// <summary>Predicted normalised reward in (0, 1).</summary>
    public Tensor Predict(Tensor embedding) => PredictLogit(embedding).sigmoid();

    /// <summary>The predictor before its sigmoid: the same ranking, and a gradient that does not vanish where the prediction nears 1.</summary>
    public Tensor PredictLogit(Tensor embedding) =>
        nn.functional.linear(nn.functional.relu(nn.functional.linear(embedding, _p1W, _p1B)), _p2W, _p2B).squeeze(1);

    /// <summary>Per-decision log-probabilities of the decoder started from <paramref name="embedding"/>, fed the given tokens (teacher forcing).</summary>
    public Tensor ReconstructionLoss(Tensor embedding, Tensor tokens, Tensor choices)
    {
        long b = embedding.shape[0];
        Tensor h = embedding, c = zeros(b, _hidden), x = _start.expand(b, -1), loss = zeros(1);
        for (int t = 0; t < _cardinalities.Length; t++)
        {
            (h, c) = Cell(x, h, c, _decWih, _decWhh, _decB);
            var logits = nn.functional.linear(h, _headW[t], _headB[t]);
            loss = loss + nn.functional.cross_entropy(logits, choices.select(1, t));
            x = _embedding.index_select(0, tokens.select(1, t));
        }
        return loss / _cardinalities.Length;
    }

    /// <summary>The most likely choice vector the decoder emits from each embedding (greedy, as NAO decodes).</summary>
    public int[][] Decode(Tensor embedding)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long b = embedding.shape[0];
        var result = Enumerable.Range(0, (int)b).Select(_ => new int[_cardinalities.Length]).ToArray();
        Tensor h = embedding, c = zeros(b, _hidden), x = _start.expand(b, -1);
        for (int t = 0; t < _cardinalities.Length; t++)
        {
            (h, c) = Cell(x, h, c, _decWih, _decWhh, _decB);
            var best = nn.functional.linear(h, _headW[t], _headB[t]).argmax(1);
            var picked = best.data<long>().ToArray();
            for (int i = 0; i < b; i++) result[i][t] = (int)picked[i];
            x = _embedding.index_select(0, best + _offsets[t]);
        }
        return result;
    }

    private static (Tensor H, Tensor C) Cell(Tensor x, Tensor h, Tensor c, Tensor wih, Tensor whh, Tensor bias) =>
        SeededLayers.LstmStep(nn.functional.linear(x, wih, bias) + nn.functional.linear(h, whh), c);

    private Parameter Add(string name, SeededRandom init, double range, params long[] shape) => SeededLayers.Add(this, name, init, range, shape);
}
