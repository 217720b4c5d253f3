using NasPlatform.Engine.Components;
using NasPlatform.Engine.Strategies.Evolution;
using NasPlatform.Engine.Strategies.Hmarl;
using NasPlatform.Engine.Strategies.MnasNetRl;
using NasPlatform.Engine.Strategies.Nao;
using NasPlatform.Engine.Strategies.Random;
using NasPlatform.Engine.Strategies.MultiFidelity;

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
        new StrategyDefinition(NaoStrategy.RegistryName,
            "NAO: an LSTM encoder, reward predictor and decoder trained on evaluated architectures; new ones decoded from embeddings moved up the predictor's gradient (Luo et al. 2018).",
            ["naoSeedArchitectures", "naoProposalsPerRound", "naoEpochs", "naoTradeOff", "naoStepSize", "naoLearningRate", "hiddenSize", "embeddingSize"],
            (space, seed, o) => new NaoStrategy(space, seed, o)),
        new StrategyDefinition(HmarlStrategy.RegistryName,
            "Hierarchical multi-agent RL (Tang et al. 2018): per block a high-level agent sets a sub-goal (where in its option ranges the block sits), a low-level agent picks the block's decisions for it; hQmix values, augmented concurrent experience replay.",
            ["hmarlSubGoals", "hmarlExplorationTrials", "hmarlLearningRate", "hmarlReplayBatch"], (space, seed, o) => new HmarlStrategy(space, seed, o)),
        new StrategyDefinition(SuccessiveHalving.HyperbandName,
            "Hyperband: brackets of successive halving over a base strategy's proposals (cheap rungs first, the best 1/eta retrained longer).",
            ["baseStrategy", "eta", "rungs"], (space, seed, o) => new SuccessiveHalving(SuccessiveHalving.HyperbandName, Base(space, seed, o), space, seed, o)),
        new StrategyDefinition(SuccessiveHalving.AshaName,
            "ASHA: asynchronous successive halving over a base strategy: promotes as soon as a trial is in the top 1/eta of its rung.",
            ["baseStrategy", "eta", "rungs"], (space, seed, o) => new SuccessiveHalving(SuccessiveHalving.AshaName, Base(space, seed, o), space, seed, o)),
    ];

    private static ISearchStrategy Base(DecisionSpace space, long seed, StrategyOptions o)
    {
        var definition = BuiltIn.FirstOrDefault(d => d.Name == o.BaseStrategy && d.Name is not (SuccessiveHalving.HyperbandName or SuccessiveHalving.AshaName))
            ?? throw new ArgumentException($"Invalid strategy option: BaseStrategy '{o.BaseStrategy}' is not one of "
                + string.Join(", ", BuiltIn.Select(d => d.Name).Where(n => n is not (SuccessiveHalving.HyperbandName or SuccessiveHalving.AshaName))) + ".");
        return definition.Create(space, seed, o);
    }
}
