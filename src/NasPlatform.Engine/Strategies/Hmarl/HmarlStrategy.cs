using NasPlatform.Engine.Common;

namespace NasPlatform.Engine.Strategies.Hmarl;

/// <summary>
/// A hierarchical multi-agent controller (Tang et al. 2018) over a space's decisions. The decisions are
/// grouped by their name's first part (block3.kernel and block3.width go to agent block3; a stage, a
/// block, a cell); per group a high-level agent picks a sub-goal, a level in [0, 1] of where in each
/// decision's option range (the spaces list options from cheapest to richest) the block should sit —
/// the block's share of size and latency — and the group's low-level agent picks the block's decisions
/// given that sub-goal. The only reward is the trained model's objective, at the end of each episode.
/// Both levels learn hQmix values (<see cref="MixedValue"/>) from a replay of completed trials:
/// Augmented Concurrent Experience Replay samples one set of episodes for every agent at once (results
/// from parallel workers arrive in any order), and augments the high level's sparse experience with each
/// episode relabelled with the sub-goals the blocks actually reached. The sub-goal shapes the low level:
/// while it explores it samples near its level, and greedily it breaks ties towards it.
/// </summary>
public sealed class HmarlStrategy : ISearchStrategy
{
    public const string RegistryName = "hmarl";

    private const double FinalExploration = 0.05, Shaping = 0.05, GoalSpread = 0.25;
    private const int MaxRetries = 20;

    private readonly StrategyOptions _options;
    private readonly SeededRandom _rng;
    private readonly int[][] _groups;
    private readonly int _goals;
    private readonly int[] _lowOffset;
    private readonly int[][] _decisionOffset;
    private readonly MixedValue _low, _high;
    private readonly List<Episode> _replay = [];
    private readonly List<Episode> _pending = [];
    private readonly HashSet<string> _proposed = [];
    private int _proposals;

    public HmarlStrategy(DecisionSpace space, long seed, StrategyOptions? options = null)
    {
        _options = (options ?? new StrategyOptions()).ForBudget(null);
        _options.Validate();
        Space = space;
        _rng = new SeededRandom(seed);
        _goals = _options.HmarlSubGoals;
        _groups = space.Decisions.Select((d, i) => (Group: d.Name.Split('.')[0], Index: i))
            .GroupBy(x => x.Group).Select(g => g.Select(x => x.Index).ToArray()).ToArray();
        // Low-level table of group g: for each sub-goal, for each of its decisions, one entry per option.
        _lowOffset = new int[_groups.Length];
        _decisionOffset = new int[_groups.Length][];
        int entries = 0;
        for (int g = 0; g < _groups.Length; g++)
        {
            _lowOffset[g] = entries;
            _decisionOffset[g] = new int[_groups[g].Length];
            int width = 0;
            for (int k = 0; k < _groups[g].Length; k++)
            {
                _decisionOffset[g][k] = width;
                width += space.Decisions[_groups[g][k]].Cardinality;
            }
            entries += _goals * width;
        }
        _low = new MixedValue(entries, _groups.Length);
        _high = new MixedValue(_groups.Length * _goals, _groups.Length);
    }

    public string Name => RegistryName;

    public DecisionSpace Space { get; }

    /// <summary>The agents' groups of decision indices.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Groups => _groups;

    public int[] Propose()
    {
        double exploration = Math.Max(FinalExploration, 1 - _proposals / (double)_options.HmarlExplorationTrials!.Value);
        _proposals++;
        Episode? first = null;
        for (int attempt = 0; attempt <= MaxRetries; attempt++)
        {
            // A repeat would be served from the cache and waste a trial: retry with more exploration.
            var episode = Act(Math.Min(1, exploration + 0.1 * attempt));
            first ??= episode;
            if (_proposed.Add(DecisionSpace.Key(episode.Choices)))
            {
                _pending.Add(episode);
                return [.. episode.Choices];
            }
        }
        _pending.Add(first!);
        return [.. first!.Choices];
    }

    public void Report(IReadOnlyList<int> choices, double reward)
    {
        StrategyState.CheckReport(Space, choices, reward);
        var key = DecisionSpace.Key(choices);
        int index = _pending.FindIndex(p => DecisionSpace.Key(p.Choices) == key);
        Episode episode;
        if (index >= 0)
        {
            episode = _pending[index];
            _pending.RemoveAt(index);
        }
        else
        {
            // Not proposed here (a result from elsewhere): its sub-goals are the ones its blocks reached.
            episode = new Episode { Choices = [.. choices] };
            episode.Goals = Achieved(episode.Choices);
        }
        episode.Reward = reward;
        _replay.Add(episode);
        Learn();
    }

    public string SaveState() => StrategyState.Save(new State
    {
        Proposals = _proposals,
        Low = _low.Save(),
        High = _high.Save(),
        Replay = [.. _replay],
        Pending = [.. _pending],
        Proposed = [.. _proposed],
    }, RegistryName, Space, _rng.GetState());

    public void LoadState(string json)
    {
        var state = StrategyState.Load<State>(json, RegistryName, Space);
        foreach (var e in state.Replay.Concat(state.Pending))
        {
            Space.Validate(e.Choices);
            if (e.Goals.Length != _groups.Length || e.Goals.Any(z => z < 0 || z >= _goals)) throw new ArgumentException("The saved state's sub-goals do not fit this strategy.");
        }
        _low.Load(state.Low);
        _high.Load(state.High);
        _rng.SetState(state.Rng);
        _proposals = state.Proposals;
        _replay.Clear();
        _replay.AddRange(state.Replay);
        _pending.Clear();
        _pending.AddRange(state.Pending);
        _proposed.Clear();
        _proposed.UnionWith(state.Proposed);
    }

    public void Dispose()
    {
    }

    private double Level(int goal) => _goals == 1 ? 0.5 : goal / (double)(_goals - 1);

    private double Position(int decision, int option)
    {
        int n = Space.Decisions[decision].Cardinality;
        return n == 1 ? 0.5 : option / (double)(n - 1);
    }

    private Episode Act(double exploration)
    {
        var episode = new Episode { Choices = new int[Space.Count], Goals = new int[_groups.Length] };
        for (int g = 0; g < _groups.Length; g++)
        {
            int goal = _rng.NextDouble() < exploration ? _rng.Next(_goals) : Greedy(_goals, z => _high.Table[g * _goals + z]);
            episode.Goals[g] = goal;
            for (int k = 0; k < _groups[g].Length; k++)
            {
                int d = _groups[g][k], n = Space.Decisions[d].Cardinality;
                double Distance(int o) => Math.Abs(Position(d, o) - Level(goal));
                episode.Choices[d] = _rng.NextDouble() < exploration
                    ? _rng.NextWeighted(Enumerable.Range(0, n).Select(o => Math.Exp(-Distance(o) / GoalSpread)).ToArray())
                    : Greedy(n, o => _low.Table[LowEntry(g, goal, k, o)] - Shaping * Distance(o));
            }
        }
        return episode;
    }

    /// <summary>The best option by value, ties broken at random.</summary>
    private int Greedy(int count, Func<int, double> value)
    {
        double best = double.NegativeInfinity;
        var ties = new List<int>();
        for (int i = 0; i < count; i++)
        {
            double v = value(i);
            if (v > best + 1e-12) (best, ties) = (v, [i]);
            else if (Math.Abs(v - best) <= 1e-12) ties.Add(i);
        }
        return ties.Count == 1 ? ties[0] : ties[_rng.Next(ties.Count)];
    }

    private int LowEntry(int group, int goal, int k, int option)
    {
        int width = _groups[group].Sum(d => Space.Decisions[d].Cardinality);
        return _lowOffset[group] + goal * width + _decisionOffset[group][k] + option;
    }

    private int[] Achieved(IReadOnlyList<int> choices) =>
        [.. _groups.Select(group => (int)Math.Round(group.Average(d => Position(d, choices[d])) * (_goals - 1)))];

    /// <summary>Augmented concurrent replay: one sample of episodes for all agents; the high level also learns each from its reached sub-goals.</summary>
    private void Learn()
    {
        double min = _replay.Min(e => e.Reward), max = _replay.Max(e => e.Reward);
        // Rewards of a search differ in the second decimal; the learners see them spread over [0, 1].
        double Target(Episode e) => max > min ? (e.Reward - min) / (max - min) : 0.5;
        int batch = Math.Min(_options.HmarlReplayBatch, _replay.Count * 2);
        for (int i = 0; i < batch; i++)
        {
            // The newest episode always, then a uniform sample.
            var e = i == 0 ? _replay[^1] : _replay[_rng.Next(_replay.Count)];
            double y = Target(e);
            _low.Step(_groups.Select((group, g) => group.Select((d, k) => LowEntry(g, e.Goals[g], k, e.Choices[d])).ToArray()).ToArray(), y,
                _options.HmarlLearningRate);
            _high.Step(HighEntries(e.Goals), y, _options.HmarlLearningRate);
            var reached = Achieved(e.Choices);
            if (!reached.SequenceEqual(e.Goals)) _high.Step(HighEntries(reached), y, _options.HmarlLearningRate);
        }
    }

    private int[][] HighEntries(int[] goals) => [.. goals.Select((z, g) => new[] { g * _goals + z })];

    private sealed class Episode
    {
        public int[] Choices { get; set; } = [];
        public int[] Goals { get; set; } = [];
        public double Reward { get; set; }
    }

    private sealed class State : StrategyStateBase
    {
        public int Proposals { get; set; }
        public MixedValue.State Low { get; set; } = new();
        public MixedValue.State High { get; set; } = new();
        public List<Episode> Replay { get; set; } = [];
        public List<Episode> Pending { get; set; } = [];
        public List<string> Proposed { get; set; } = [];
    }
}
