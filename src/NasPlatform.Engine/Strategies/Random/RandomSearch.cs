using NasPlatform.Engine.Common;

namespace NasPlatform.Engine.Strategies.Random;

/// <summary>
/// Uniform random search: the baseline every other strategy must beat (Li and Talwalkar 2019 show
/// it is a strong one). Rewards are ignored; the only memory is which vectors were already proposed,
/// so that a small space is not wasted on duplicates.
/// </summary>
public sealed class RandomSearch : ISearchStrategy
{
    public const string RegistryName = "random";

    private readonly int _maxRetries;
    private readonly SeededRandom _rng;
    // The list keeps proposal order so the saved state is stable; the set makes lookups cheap.
    private readonly List<string> _proposedOrder = [];
    private readonly HashSet<string> _proposed = [];

    public RandomSearch(DecisionSpace space, long seed, StrategyOptions? options = null)
    {
        options ??= new StrategyOptions();
        options.Validate();
        Space = space;
        _maxRetries = options.MaxDuplicateRetries;
        _rng = new SeededRandom(seed);
    }

    public string Name => RegistryName;

    public DecisionSpace Space { get; }

    public int[] Propose()
    {
        var choices = StrategyState.Uniform(Space, _rng);
        // Once every point has been seen, retrying cannot help, so duplicates are then accepted at once.
        if (_proposed.Count < Space.Size)
        {
            for (int i = 0; i < _maxRetries && _proposed.Contains(DecisionSpace.Key(choices)); i++)
                choices = StrategyState.Uniform(Space, _rng);
        }

        var key = DecisionSpace.Key(choices);
        if (_proposed.Add(key)) _proposedOrder.Add(key);
        return choices;
    }

    public void Report(IReadOnlyList<int> choices, double reward)
    {
        StrategyState.CheckReport(Space, choices, reward);
        // A vector evaluated elsewhere (e.g. from a cache) need not be proposed again.
        var key = DecisionSpace.Key(choices);
        if (_proposed.Add(key)) _proposedOrder.Add(key);
    }

    public string SaveState() =>
        StrategyState.Save(new State { Proposed = [.. _proposedOrder] }, RegistryName, Space, _rng.GetState());

    public void LoadState(string json)
    {
        var state = StrategyState.Load<State>(json, RegistryName, Space);
        _rng.SetState(state.Rng);
        _proposedOrder.Clear();
        _proposed.Clear();
        foreach (var key in state.Proposed)
            if (_proposed.Add(key)) _proposedOrder.Add(key);
    }

    public void Dispose()
    {
    }

    private sealed class State : StrategyStateBase
    {
        public List<string> Proposed { get; set; } = [];
    }
}
