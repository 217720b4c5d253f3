using NasPlatform.Engine.Components;
using NasPlatform.Engine.Strategies.Evolution;
using NasPlatform.Engine.Strategies.MnasNetRl;
using NasPlatform.Engine.Strategies.Random;

namespace NasPlatform.Engine.Strategies;

/// <summary>
/// A registered strategy. Every strategy reads the one <see cref="StrategyOptions"/> record (one set
/// of defaults, one validation), whether the options came from the API, the form or the CLI.
/// </summary>
public interface IStrategyDefinition : IRegistered
{
    /// <summary>The <see cref="StrategyOptions"/> properties this strategy reads (camelCase), for forms and help.</summary>
    IReadOnlyList<string> OptionNames { get; }

    ISearchStrategy Create(DecisionSpace space, long seed, StrategyOptions options);
}

/// <summary>A strategy registered by a factory.</summary>
public sealed record StrategyDefinition(string Name, string Description, IReadOnlyList<string> OptionNames,
    Func<DecisionSpace, long, StrategyOptions, ISearchStrategy> Factory) : IStrategyDefinition
{
    public ISearchStrategy Create(DecisionSpace space, long seed, StrategyOptions options) => Factory(space, seed, options);

    public static IReadOnlyList<IStrategyDefinition> BuiltIn { get; } =
    [
        new StrategyDefinition(RandomSearch.RegistryName, "Uniform random search: the baseline every other strategy must beat.",
            ["maxDuplicateRetries"], (space, seed, o) => new RandomSearch(space, seed, o)),
        new StrategyDefinition(RegularizedEvolution.RegistryName, "Regularized (aging) evolution with tournament selection (Real et al. 2019).",
            ["populationSize", "sampleSize"], (space, seed, o) => new RegularizedEvolution(space, seed, o)),
        new StrategyDefinition(MnasNetRlStrategy.RegistryName, "MnasNet's LSTM controller trained with PPO on the reward.",
            ["hiddenSize", "embeddingSize", "learningRate", "batchSize", "ppoEpochs", "clipEpsilon", "entropyWeight", "baselineDecay", "initRange"],
            (space, seed, o) => new MnasNetRlStrategy(space, seed, o)),
    ];
}
