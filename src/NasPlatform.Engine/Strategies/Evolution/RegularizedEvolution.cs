using NasPlatform.Engine.Common;

namespace NasPlatform.Engine.Strategies.Evolution;

/// <summary>
/// Regularized ("aging") evolution, Real et al. 2019 (AmoebaNet). The population is a queue:
/// every result joins at the back and the oldest member leaves, whatever its reward. Aging keeps
/// lucky one-off rewards from dominating forever, which is why it tolerates noisy evaluations better
/// than keeping the best. Parents are chosen by tournament: the best of S members drawn at random.
/// Results may arrive in any order and while other proposals are still outstanding (asynchronous
/// workers, as in the paper).
/// </summary>
public sealed class RegularizedEvolution : ISearchStrategy, IBudgetSized
{
    public const string RegistryName = "evolution";

    private int _populationSize;
    private int _sampleSize;
    private readonly SeededRandom _rng;
    // Oldest first.
    private readonly List<ScoredChoices> _population = [];
    private long _proposals;
    private long _reports;

    public RegularizedEvolution(DecisionSpace space, long seed, StrategyOptions? options = null)
    {
        options ??= new StrategyOptions();
        options.Validate();
        Space = space;
        options = options.ForBudget(null);
        _populationSize = options.PopulationSize!.Value;
        _sampleSize = options.SampleSize!.Value;
        _rng = new SeededRandom(seed);
    }

    public string Name => RegistryName;

    public DecisionSpace Space { get; }

    /// <summary>The current population, oldest first.</summary>
    public IReadOnlyList<(int[] Choices, double Reward)> Population =>
        _population.Select(m => ((int[])m.Choices.Clone(), m.Reward)).ToList();

    public int PopulationSize => _populationSize;

    public void SizeFor(StrategyOptions sized)
    {
        _populationSize = sized.PopulationSize ?? _populationSize;
        _sampleSize = sized.SampleSize ?? _sampleSize;
        // Aging applies at once: a smaller population drops its oldest members.
        while (_population.Count > _populationSize) _population.RemoveAt(0);
    }

    public int[] Propose()
    {
        _proposals++;
        // Without any result yet (all early proposals still running) there is nothing to mutate.
        if (_proposals <= _populationSize || _population.Count == 0)
            return StrategyState.Uniform(Space, _rng);

        // Tournament with replacement, as in the paper's reference code; ties go to the first drawn.
        ScoredChoices parent = _population[_rng.Next(_population.Count)];
        for (int i = 1; i < _sampleSize; i++)
        {
            var candidate = _population[_rng.Next(_population.Count)];
            if (candidate.Reward > parent.Reward) parent = candidate;
        }

        return Mutate(parent.Choices);
    }

    public void Report(IReadOnlyList<int> choices, double reward)
    {
        StrategyState.CheckReport(Space, choices, reward);
        _reports++;
        _population.Add(new ScoredChoices { Choices = [.. choices], Reward = reward });
        if (_population.Count > _populationSize) _population.RemoveAt(0);
    }

    public string SaveState() =>
        StrategyState.Save(
            new State { Proposals = _proposals, Reports = _reports, Population = [.. _population], PopulationSize = _populationSize, SampleSize = _sampleSize },
            RegistryName, Space, _rng.GetState());

    public void LoadState(string json)
    {
        var state = StrategyState.Load<State>(json, RegistryName, Space);
        foreach (var member in state.Population) Space.Validate(member.Choices);
        _rng.SetState(state.Rng);
        _proposals = state.Proposals;
        _reports = state.Reports;
        _population.Clear();
        _population.AddRange(state.Population);
        // States written before sizes could change have none: the constructor's stand.
        _populationSize = state.PopulationSize ?? _populationSize;
        _sampleSize = state.SampleSize ?? _sampleSize;
    }

    public void Dispose()
    {
    }

    /// <summary>Changes exactly one decision to a different option (the paper's single-edit mutation).</summary>
    private int[] Mutate(int[] parent)
    {
        var child = (int[])parent.Clone();
        var mutable = Enumerable.Range(0, Space.Count).Where(i => Space.Decisions[i].Cardinality > 1).ToArray();
        if (mutable.Length == 0) return child; // a space of one point has no neighbours

        int d = mutable[_rng.Next(mutable.Length)];
        // Drawing from cardinality - 1 and skipping the current value keeps the draw uniform over the others.
        int value = _rng.Next(Space.Decisions[d].Cardinality - 1);
        child[d] = value >= parent[d] ? value + 1 : value;
        return child;
    }

    private sealed class State : StrategyStateBase
    {
        public long Proposals { get; set; }
        public long Reports { get; set; }
        public List<ScoredChoices> Population { get; set; } = [];
        public int? PopulationSize { get; set; }
        public int? SampleSize { get; set; }
    }
}
