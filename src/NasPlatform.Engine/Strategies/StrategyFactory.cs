// TEMPORARY stand-in until the strategies branch merges (replaced wholesale).
using NasPlatform.Engine.Common;
namespace NasPlatform.Engine.Strategies;
public sealed record StrategyOptions;
public static class StrategyFactory
{
    public static IReadOnlyList<string> Names { get; } = ["random", "evolution", "mnasnet-rl"];
    public static ISearchStrategy Create(string name, DecisionSpace space, long seed, StrategyOptions? options = null) => new Tmp(space, seed);
    private sealed class Tmp(DecisionSpace space, long seed) : ISearchStrategy
    {
        private readonly SeededRandom _r = new(seed);
        public string Name => "random";
        public DecisionSpace Space => space;
        public int[] Propose() => space.Decisions.Select(d => _r.Next(d.Cardinality)).ToArray();
        public void Report(IReadOnlyList<int> choices, double reward) { }
        public string SaveState() => "{}";
        public void LoadState(string json) { }
        public void Dispose() { }
    }
}
