using NasPlatform.Engine.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Strategies.Nao;

/// <summary>
/// Neural Architecture Optimization (Luo et al. 2018) as a trial strategy. It starts with random
/// architectures; then, round by round, it trains its encoder-predictor-decoder on every evaluated
/// architecture (predictor regression on the min-max normalised rewards plus decoder reconstruction),
/// takes the best evaluated ones, moves each one's embedding up the predictor's gradient
/// (e &lt;- e + eta |e| g / |g|, g = dP/de, eta doubling until the decoded architecture is new) and proposes the
/// decoded architectures the predictor rates highest. As in NAO's code, one model keeps training from
/// round to round; its weights and optimizer state are part of the saved state, so a resumed search
/// proposes exactly what an uninterrupted one would.
/// </summary>
public sealed class NaoStrategy : ISearchStrategy
{
    public const string RegistryName = "nao";

    private const ulong InitStreamSalt = 0x6E616F5F696E6974UL;
    private const int MaxStepDoublings = 6;
    private const int CandidatesPerStart = 3;

    private readonly StrategyOptions _options;
    private readonly long _seed;
    private readonly SeededRandom _rng;
    private readonly List<ScoredChoices> _evaluated = [];
    private readonly List<int[]> _pending = [];
    private readonly Queue<int[]> _queue = new();
    private readonly NaoModel _model;
    private readonly TorchSharp.Modules.Adam _optimizer;
    private int _rounds;

    public NaoStrategy(DecisionSpace space, long seed, StrategyOptions? options = null)
    {
        _options = (options ?? new StrategyOptions()).ForBudget(null);
        _options.Validate();
        Space = space;
        _seed = seed;
        _rng = new SeededRandom(seed);
        _model = new NaoModel(space, _options.EmbeddingSize, _options.HiddenSize, new SeededRandom(unchecked(seed ^ (long)InitStreamSalt)));
        _optimizer = optim.Adam(_model.parameters(), lr: _options.NaoLearningRate);
    }

    public string Name => RegistryName;

    public DecisionSpace Space { get; }

    /// <summary>Rounds of training and proposing done so far.</summary>
    public int Rounds => _rounds;

    public int[] Propose()
    {
        if (_queue.Count == 0)
        {
            if (_evaluated.Count + _pending.Count < _options.NaoSeedArchitectures!.Value || _evaluated.Count < 2) _queue.Enqueue(Unseen());
            else ProposeRound();
        }
        var next = _queue.Dequeue();
        _pending.Add(next);
        return (int[])next.Clone();
    }

    public void Report(IReadOnlyList<int> choices, double reward)
    {
        StrategyState.CheckReport(Space, choices, reward);
        var key = DecisionSpace.Key(choices);
        int index = _pending.FindIndex(p => DecisionSpace.Key(p) == key);
        if (index >= 0) _pending.RemoveAt(index);
        _evaluated.Add(new ScoredChoices { Choices = [.. choices], Reward = reward });
    }

    /// <summary>
    /// One round: train on everything evaluated; move the embeddings of the best architectures up the
    /// predictor's gradient with growing steps, collecting the first few new architectures each decodes
    /// to; propose the candidates the predictor rates highest (its own decodes re-encoded), so a step that
    /// only decoded to a reconstruction error does not win over one that followed the gradient.
    /// </summary>
    private void ProposeRound()
    {
        using var scope = NewDisposeScope();
        var model = Train(_evaluated);
        var seen = new HashSet<string>(_evaluated.Select(e => DecisionSpace.Key(e.Choices)).Concat(_pending.Select(DecisionSpace.Key)));
        int wanted = _options.NaoProposalsPerRound!.Value;
        var starts = _evaluated.OrderByDescending(e => e.Reward).ThenBy(e => DecisionSpace.Key(e.Choices), StringComparer.Ordinal)
            .Select(e => e.Choices).DistinctBy(DecisionSpace.Key).Take(2 * wanted).ToList();
        var candidates = new Dictionary<string, int[]>();
        foreach (var start in starts)
            foreach (var found in Improve(model, start, seen, CandidatesPerStart))
                candidates.TryAdd(DecisionSpace.Key(found), found);
        if (candidates.Count > 0)
        {
            var list = candidates.Values.ToList();
            float[] predicted;
            using (no_grad()) predicted = model.Predict(model.Encode(model.Tokens(list.Select(c => (IReadOnlyList<int>)c).ToList()))).data<float>().ToArray();
            foreach (var (choices, _) in list.Zip(predicted).OrderByDescending(p => p.Second).ThenBy(p => DecisionSpace.Key(p.First), StringComparer.Ordinal).Take(wanted))
            {
                seen.Add(DecisionSpace.Key(choices));
                _queue.Enqueue(choices);
            }
        }
        // When the gradient leads nowhere new (a converged predictor, a tiny space), random architectures keep the search going.
        while (_queue.Count < wanted)
        {
            var filler = Unseen(seen);
            seen.Add(DecisionSpace.Key(filler));
            _queue.Enqueue(filler);
        }
        _rounds++;
    }

    /// <summary>The first <paramref name="count"/> new architectures decoded from the embedding of <paramref name="start"/> moved by growing steps along dP/de.</summary>
    private List<int[]> Improve(NaoModel model, int[] start, HashSet<string> seen, int count)
    {
        using var scope = NewDisposeScope();
        var embedding = model.Encode(model.Tokens([start])).detach().requires_grad_(true);
        // The logit's gradient points where the prediction's does, without vanishing at the best architectures.
        var gradient = autograd.grad([model.PredictLogit(embedding).sum()], [embedding])[0].detach();
        // Steps are measured in the embedding's own length along the gradient's direction: a predictor fitted to few, close
        // rewards has a tiny gradient, and raw steps of it never left the start's decoding (the rounds fell back to random).
        double length = embedding.detach().norm().ToDouble(), slope = gradient.norm().ToDouble();
        if (!(slope > 0) || !double.IsFinite(slope)) return [];
        var direction = gradient * (length / slope);
        var found = new List<int[]>();
        double eta = _options.NaoStepSize;
        for (int i = 0; i < MaxStepDoublings && found.Count < count; i++, eta *= 2)
        {
            var decoded = model.Decode(embedding.detach() + eta * direction)[0];
            if (!seen.Contains(DecisionSpace.Key(decoded)) && !found.Any(f => f.SequenceEqual(decoded))) found.Add(decoded);
        }
        return found;
    }

    /// <summary>Trains the model further on the evaluated architectures (full batch, <see cref="StrategyOptions.NaoEpochs"/> steps).</summary>
    internal NaoModel Train(IReadOnlyList<ScoredChoices> data)
    {
        double low = data.Min(d => d.Reward), high = data.Max(d => d.Reward);
        var targets = data.Select(d => (float)(high > low ? (d.Reward - low) / (high - low) : 0.5)).ToArray();
        using var scope = NewDisposeScope();
        var tokens = _model.Tokens(data.Select(d => (IReadOnlyList<int>)d.Choices).ToList());
        var choices = tensor(data.SelectMany(d => d.Choices.Select(v => (long)v)).ToArray(), [data.Count, Space.Count]);
        var target = tensor(targets);
        double w = _options.NaoTradeOff;
        for (int epoch = 0; epoch < _options.NaoEpochs; epoch++)
        {
            using var step = NewDisposeScope();
            _optimizer.zero_grad();
            var embedding = _model.Encode(tokens);
            var loss = w * nn.functional.mse_loss(_model.Predict(embedding), target) + (1 - w) * _model.ReconstructionLoss(embedding, tokens, choices);
            loss.backward();
            _optimizer.step();
        }
        return _model;
    }

    private int[] Unseen(HashSet<string>? seen = null)
    {
        seen ??= new HashSet<string>(_evaluated.Select(e => DecisionSpace.Key(e.Choices)).Concat(_pending.Select(DecisionSpace.Key)).Concat(_queue.Select(DecisionSpace.Key)));
        int[] choices = StrategyState.Uniform(Space, _rng);
        for (int i = 0; i < _options.MaxDuplicateRetries && seen.Contains(DecisionSpace.Key(choices)); i++) choices = StrategyState.Uniform(Space, _rng);
        return choices;
    }

    public string SaveState() => StrategyState.Save(new State
    {
        Evaluated = [.. _evaluated], Pending = [.. _pending], Queue = [.. _queue], Rounds = _rounds,
        Model = StrategyState.ToBase64(w => _model.save(w)), Optimizer = StrategyState.ToBase64(w => _optimizer.save_state_dict(w)),
    }, RegistryName, Space, _rng.GetState());

    public void LoadState(string json)
    {
        var state = StrategyState.Load<State>(json, RegistryName, Space);
        foreach (var c in state.Evaluated.Select(e => e.Choices).Concat(state.Pending).Concat(state.Queue)) Space.Validate(c);
        StrategyState.FromBase64(state.Model, r => _model.load(r));
        StrategyState.FromBase64(state.Optimizer, r => _optimizer.load_state_dict(r));
        _rng.SetState(state.Rng);
        _evaluated.Clear();
        _evaluated.AddRange(state.Evaluated);
        _pending.Clear();
        _pending.AddRange(state.Pending);
        _queue.Clear();
        foreach (var q in state.Queue) _queue.Enqueue(q);
        _rounds = state.Rounds;
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }

    private sealed class State : StrategyStateBase
    {
        public List<ScoredChoices> Evaluated { get; set; } = [];
        public List<int[]> Pending { get; set; } = [];
        public List<int[]> Queue { get; set; } = [];
        public int Rounds { get; set; }
        public string Model { get; set; } = "";
        public string Optimizer { get; set; } = "";
    }
}
