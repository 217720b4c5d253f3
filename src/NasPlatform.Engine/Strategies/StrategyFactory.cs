using NasPlatform.Engine.Strategies.Evolution;
using NasPlatform.Engine.Strategies.MnasNetRl;
using NasPlatform.Engine.Strategies.Random;

namespace NasPlatform.Engine.Strategies;

/// <summary>Builds strategies by registry name, so run configurations and the CLI can name them.</summary>
public static class StrategyFactory
{
    public static IReadOnlyList<string> Names { get; } =
        [RandomSearch.RegistryName, RegularizedEvolution.RegistryName, MnasNetRlStrategy.RegistryName];

    public static ISearchStrategy Create(string name, DecisionSpace space, long seed, StrategyOptions? options = null) =>
        name switch
        {
            RandomSearch.RegistryName => new RandomSearch(space, seed, options),
            RegularizedEvolution.RegistryName => new RegularizedEvolution(space, seed, options),
            MnasNetRlStrategy.RegistryName => new MnasNetRlStrategy(space, seed, options),
            _ => throw new ArgumentException(
                $"Unknown search strategy '{name}'. Valid names: {string.Join(", ", Names)}.", nameof(name)),
        };
}
