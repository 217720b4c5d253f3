using NasPlatform.Engine.Common;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Strategies.MnasNetRl;

/// <summary>
/// MnasNet's search (Tan et al. 2019): an RNN controller samples one decision per step, the sampled
/// model is trained and measured, and the controller maximises the expected reward
/// ACC(m) * (LAT(m) / T)^w with Proximal Policy Optimization. That reward is computed by the caller;
/// here it is just the number passed to <see cref="Report"/>.
/// PPO rather than plain REINFORCE because, as in the paper, each batch of expensive rewards is
/// reused for several gradient epochs, and the clipped importance ratio keeps those epochs from
/// moving the policy too far from the one that sampled the batch.
/// Advantage = reward - baseline, the baseline being an exponential moving average of rewards.
/// Proposals remember the log-probability they were sampled with; a reported vector that was never
/// proposed (e.g. served from a cache) is scored by the current policy instead.
/// Not thread-safe: callers serialise Propose/Report, as the search loop does.
/// </summary>
public sealed class MnasNetRlStrategy : ISearchStrategy, IBudgetSized
{
    public const string RegistryName = "mnasnet-rl";

    // Keeps the initialisation stream apart from the sampling stream, so changing the network size
    // does not shift which vectors are sampled from the same seed more than the weights themselves do.
    private const ulong InitStreamSalt = 0x6D6E61736E657431UL;

    private readonly StrategyOptions _options;
    private readonly SeededRandom _rng;
    private readonly MnasNetController _controller;
    private readonly TorchSharp.Modules.Adam _optimizer;
    private readonly List<Sampled> _pending = [];
    private readonly List<Sampled> _batch = [];
    private double? _baseline;
    private long _updates;
    private int _batchSize;
    private bool _disposed;

    public MnasNetRlStrategy(DecisionSpace space, long seed, StrategyOptions? options = null)
    {
        _options = (options ?? new StrategyOptions()).ForBudget(null);
        _options.Validate();
        _batchSize = _options.BatchSize!.Value;
        Space = space;
        _rng = new SeededRandom(seed);
        var init = new SeededRandom(unchecked(seed ^ (long)InitStreamSalt));
        _controller = new MnasNetController(space, _options.EmbeddingSize, _options.HiddenSize, init, _options.InitRange);
        _optimizer = optim.Adam(_controller.parameters(), lr: _options.LearningRate);
    }

    public string Name => RegistryName;

    public DecisionSpace Space { get; }

    /// <summary>The current baseline (null before the first update).</summary>
    public double? Baseline => _baseline;

    /// <summary>PPO updates done so far.</summary>
    public long Updates => _updates;

    /// <summary>Results collected before one PPO update.</summary>
    public int BatchSize => _batchSize;

    public void SizeFor(StrategyOptions sized) => _batchSize = sized.BatchSize ?? _batchSize;

    public int[] Propose()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (choices, logProb) = _controller.Sample((_, probs) => _rng.NextWeighted(probs));
        _pending.Add(new Sampled { Choices = choices, LogProb = logProb });
        return (int[])choices.Clone();
    }

    public void Report(IReadOnlyList<int> choices, double reward)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        StrategyState.CheckReport(Space, choices, reward);
        var key = DecisionSpace.Key(choices);
        int index = _pending.FindIndex(p => DecisionSpace.Key(p.Choices) == key);
        Sampled sample;
        if (index >= 0)
        {
            sample = _pending[index];
            _pending.RemoveAt(index);
        }
        else
        {
            sample = new Sampled { Choices = [.. choices], LogProb = _controller.LogProb(choices) };
        }

        sample.Reward = reward;
        _batch.Add(sample);
        if (_batch.Count >= _batchSize) Update();
    }

    public string SaveState()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var state = new State
        {
            Baseline = _baseline,
            Updates = _updates,
            BatchSize = _batchSize,
            Pending = [.. _pending],
            Batch = [.. _batch],
            Controller = StrategyState.ToBase64(w => _controller.save(w)),
            Optimizer = StrategyState.ToBase64(w => _optimizer.save_state_dict(w)),
        };
        return StrategyState.Save(state, RegistryName, Space, _rng.GetState());
    }

    public void LoadState(string json)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var state = StrategyState.Load<State>(json, RegistryName, Space);
        foreach (var s in state.Pending.Concat(state.Batch)) Space.Validate(s.Choices);
        StrategyState.FromBase64(state.Controller, r => _controller.load(r));
        StrategyState.FromBase64(state.Optimizer, r => _optimizer.load_state_dict(r));
        _rng.SetState(state.Rng);
        _baseline = state.Baseline;
        _updates = state.Updates;
        _pending.Clear();
        _pending.AddRange(state.Pending);
        _batch.Clear();
        _batch.AddRange(state.Batch);
        _batchSize = state.BatchSize ?? _batchSize;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _optimizer.Dispose();
        _controller.Dispose();
    }

    private void Update()
    {
        int n = _batch.Count, t = Space.Count;
        // The first batch has no history to compare against, so its own mean is the baseline.
        double baseline = _baseline ?? _batch.Average(s => s.Reward);
        var advantages = _batch.Select(s => (float)(s.Reward - baseline)).ToArray();
        foreach (var s in _batch) baseline = _options.BaselineDecay * baseline + (1 - _options.BaselineDecay) * s.Reward;

        using (var scope = NewDisposeScope())
        {
            var choices = tensor(_batch.SelectMany(s => s.Choices.Select(v => (long)v)).ToArray(), new long[] { n, t });
            var oldLogProb = tensor(_batch.Select(s => (float)s.LogProb).ToArray());
            var advantage = tensor(advantages);
            double eps = _options.ClipEpsilon;
            for (int epoch = 0; epoch < _options.PpoEpochs; epoch++)
            {
                _optimizer.zero_grad();
                var (logProb, entropy) = _controller.Evaluate(choices);
                var ratio = (logProb - oldLogProb).exp();
                var surrogate = minimum(ratio * advantage, ratio.clamp(1 - eps, 1 + eps) * advantage);
                var loss = -surrogate.mean() - _options.EntropyWeight * entropy.mean();
                loss.backward();
                _optimizer.step();
            }
        }

        _baseline = baseline;
        _updates++;
        _batch.Clear();
    }

    private sealed class Sampled
    {
        public int[] Choices { get; set; } = [];
        public double LogProb { get; set; }
        public double Reward { get; set; }
    }

    private sealed class State : StrategyStateBase
    {
        public double? Baseline { get; set; }
        public long Updates { get; set; }
        public List<Sampled> Pending { get; set; } = [];
        public List<Sampled> Batch { get; set; } = [];
        public string Controller { get; set; } = "";
        public string Optimizer { get; set; } = "";
        public int? BatchSize { get; set; }
    }
}
