using NasPlatform.Engine.Common;

namespace NasPlatform.Engine.Strategies.MultiFidelity;

/// <summary>A strategy whose proposals come with a fidelity: the rung of the last proposal, and what each rung is worth.</summary>
public interface IMultiFidelityStrategy : ISearchStrategy
{
    /// <summary>The rung of the proposal <see cref="ISearchStrategy.Propose"/> just returned (0 = cheapest).</summary>
    int LastRung { get; }

    int Rungs { get; }

    /// <summary>Share of the full proxy budget a rung trains for: eta^(rung - top rung).</summary>
    double RungBudget(int rung);

    /// <summary>The reward of an architecture evaluated at a rung.</summary>
    void Report(IReadOnlyList<int> choices, int rung, double reward);
}

/// <summary>
/// Successive halving as a wrapper around any base strategy (Jamieson and Talwalkar 2016; Li et al.
/// 2018, 2020): new architectures come from the base strategy and are trained at the cheapest rung;
/// the best 1/eta of a rung are retrained at eta times the budget, up to the full proxy budget.
/// <c>asha</c> promotes as soon as a configuration is in the top 1/eta of what its rung has finished
/// (asynchronous, so parallel workers never wait); <c>hyperband</c> runs brackets of synchronous
/// successive halving — a rung is complete before its best are promoted — cycling through brackets
/// that start at different rungs, hedging against a too-aggressive cheapest rung. The base strategy
/// learns from the cheapest-rung reward of its own proposals, once each.
/// </summary>
public sealed class SuccessiveHalving : IMultiFidelityStrategy
{
    public const string AshaName = "asha", HyperbandName = "hyperband";

    private readonly ISearchStrategy _base;
    private readonly bool _asynchronous;
    private readonly int _eta;
    private readonly SeededRandom _rng;
    private SuccessiveHalvingState _state = new();

    public SuccessiveHalving(string name, ISearchStrategy baseStrategy, DecisionSpace space, long seed, StrategyOptions options)
    {
        options.Validate();
        Name = name;
        _asynchronous = name == AshaName;
        _base = baseStrategy;
        Space = space;
        _eta = options.Eta;
        Rungs = options.Rungs;
        _rng = new SeededRandom(seed ^ 0x5a5a5a5a);
        _state.Bracket = Rungs - 1;
    }

    public string Name { get; }
    public DecisionSpace Space { get; }
    public int Rungs { get; }
    public int LastRung { get; private set; }

    public double RungBudget(int rung) => Math.Pow(_eta, rung - (Rungs - 1));

    public int[] Propose()
    {
        if (Promotion() is { } promoted)
        {
            promoted.Promoted = true;
            var config = new RungEntry { Choices = promoted.Choices, Rung = promoted.Rung + 1, Bracket = promoted.Bracket, Generation = promoted.Generation };
            _state.Entries.Add(config);
            LastRung = config.Rung;
            return [.. config.Choices];
        }
        var choices = _base.Propose();
        int start = _asynchronous ? 0 : Rungs - 1 - _state.Bracket;
        _state.Entries.Add(new RungEntry { Choices = choices, Rung = start, Bracket = _state.Bracket, Generation = _state.Generation, FromBase = true });
        if (!_asynchronous) AdvanceBracketIfFull();
        LastRung = start;
        return choices;
    }

    /// <summary>A reward without its rung: for the oldest pending proposal with these choices.</summary>
    public void Report(IReadOnlyList<int> choices, double reward) => Report(choices, null, reward);

    public void Report(IReadOnlyList<int> choices, int rung, double reward) => Report(choices, (int?)rung, reward);

    private void Report(IReadOnlyList<int> choices, int? rung, double reward)
    {
        StrategyState.CheckReport(Space, choices, reward);
        var entry = _state.Entries.FirstOrDefault(e => e.Reward is null && (rung is null || e.Rung == rung) && e.Choices.SequenceEqual(choices));
        if (entry is null)
        {
            // Not proposed here (e.g. evaluated elsewhere): only the base strategy can learn from it.
            _base.Report(choices, reward);
            return;
        }
        entry.Reward = reward;
        if (entry.FromBase) _base.Report(choices, reward);
    }

    /// <summary>The finished entry to retrain one rung higher, highest rungs first, or null.</summary>
    private RungEntry? Promotion()
    {
        for (int rung = Rungs - 2; rung >= 0; rung--)
        {
            foreach (var group in _state.Entries.Where(e => e.Rung == rung).GroupBy(e => _asynchronous ? (0, 0) : (e.Bracket, e.Generation)))
            {
                var entries = group.ToList();
                var finished = entries.Where(e => e.Reward is not null).OrderByDescending(e => e.Reward).ToList();
                // Synchronous halving waits for its whole rung; asynchronous halving promotes from what has finished.
                if (!_asynchronous && (finished.Count < entries.Count || entries.Count < ExpectedAt(group.Key.Item1, rung))) continue;
                int top = finished.Count / _eta;
                var candidate = finished.Take(top).FirstOrDefault(e => !e.Promoted);
                if (candidate is not null) return candidate;
            }
        }
        return null;
    }

    /// <summary>How many configurations a synchronous bracket has at a rung: its start size divided by eta per rung climbed.</summary>
    private int ExpectedAt(int bracket, int rung) => (int)(BracketSize(bracket) / Math.Pow(_eta, rung - (Rungs - 1 - bracket)));

    /// <summary>Configurations a synchronous bracket starts with: ceil((s_max + 1) / (s + 1) * eta^s).</summary>
    private int BracketSize(int bracket) => (int)Math.Ceiling(Rungs / (double)(bracket + 1) * Math.Pow(_eta, bracket));

    private void AdvanceBracketIfFull()
    {
        int started = _state.Entries.Count(e => e.FromBase && e.Bracket == _state.Bracket && e.Generation == _state.Generation);
        if (started < BracketSize(_state.Bracket)) return;
        _state.Bracket = _state.Bracket == 0 ? Rungs - 1 : _state.Bracket - 1;
        _state.Generation++;
    }

    public string SaveState()
    {
        _state.Base = _base.SaveState();
        _state.LastRung = LastRung;
        return StrategyState.Save(_state, Name, Space, _rng.GetState());
    }

    public void LoadState(string json)
    {
        var state = StrategyState.Load<SuccessiveHalvingState>(json, Name, Space);
        _base.LoadState(state.Base);
        _rng.SetState(state.Rng);
        LastRung = state.LastRung;
        _state = state;
    }

    public void Dispose() => _base.Dispose();

    private sealed class SuccessiveHalvingState : StrategyStateBase
    {
        public List<RungEntry> Entries { get; set; } = [];
        public int Bracket { get; set; }
        public int Generation { get; set; }
        public int LastRung { get; set; }
        public string Base { get; set; } = "";
    }

    private sealed class RungEntry
    {
        public int[] Choices { get; set; } = [];
        public int Rung { get; set; }
        public int Bracket { get; set; }
        public int Generation { get; set; }
        public bool FromBase { get; set; }
        public bool Promoted { get; set; }
        public double? Reward { get; set; }
    }
}
