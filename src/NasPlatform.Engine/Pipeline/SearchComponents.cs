using NasPlatform.Engine.Components;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.OneShot;
using NasPlatform.Engine.Priors;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks;

namespace NasPlatform.Engine.Pipeline;

/// <summary>Trials: the strategy proposes and every trial trains. One-shot: one long checkpointed job derives the architecture.</summary>
public enum SearchKind { Trials, OneShot }

/// <summary>
/// A search's parts, looked up by the names stored on it and created with its options: the space
/// (for the data's shape and the task's output), the task, the objective and the strategy.
/// The CLI and the platform both resolve them here, so they cannot drift apart.
/// </summary>
public sealed class SearchComponents
{
    private SearchComponents(ISearchSpace space, ITask task, ISearchObjective objective, IStrategyDefinition? strategy, IOneShotMethod? oneShot,
        StrategyOptions strategyOptions)
    {
        Space = space;
        Task = task;
        Objective = objective;
        Strategy = strategy;
        OneShot = oneShot;
        StrategyOptions = strategyOptions;
    }

    public ISearchSpace Space { get; }
    public ITask Task { get; }
    public ISearchObjective Objective { get; }

    /// <summary>The trial-based strategy, or null for a one-shot search.</summary>
    public IStrategyDefinition? Strategy { get; }

    /// <summary>The one-shot method, or null for a trial-based search.</summary>
    public IOneShotMethod? OneShot { get; }

    public StrategyOptions StrategyOptions { get; }

    public SearchKind Kind => OneShot is null ? SearchKind.Trials : SearchKind.OneShot;

    /// <summary>Why a space cannot be searched for a task, naming the spaces that can.</summary>
    public static string WrongTask(SearchCatalog catalog, ISearchSpaceDefinition space, string task) =>
        $"The {space.Name} space does not build networks for {task}; it serves {string.Join(", ", space.Tasks)}. " +
        $"Spaces for {task}: {string.Join(", ", catalog.Spaces.All.Where(s => s.Tasks.Contains(task)).Select(s => s.Name))}.";

    /// <exception cref="ArgumentException">A name is unknown, the space does not serve the task, or an option is invalid.</exception>
    public static SearchComponents Resolve(SearchCatalog catalog, SearchOptions options, DataShape data)
    {
        var task = catalog.Tasks.Get(options.Task);
        var spaceDefinition = catalog.Spaces.Get(options.Space);
        if (!spaceDefinition.Tasks.Contains(task.Name)) throw new ArgumentException(WrongTask(catalog, spaceDefinition, task.Name));
        var input = new SpaceInput(data.Image, task.OutputOf(data));
        var space = spaceDefinition.Create(input, options.SpaceOptions);
        options.Prior.Validate();
        var objective = PriorObjective.Compose(catalog.Objectives.Get(options.Objective)
            .Create(new LatencyTarget(options.LatencyBudgetMs, options.Constraint), options.ObjectiveOptions), options.Prior, catalog, space, input, task.Name, options.Seed);
        options.StrategyOptions.Validate();
        var strategyOptions = options.StrategyOptions.ForBudget(options.MaxTrials);
        if (catalog.OneShot.Contains(options.Strategy))
        {
            var method = catalog.OneShot.Get(options.Strategy);
            if (!method.Spaces.Contains(space.Name))
                throw new ArgumentException($"The one-shot method {method.Name} searches {string.Join(", ", method.Spaces)}, not the {space.Name} space.");
            return new SearchComponents(space, task, objective, null, method, strategyOptions);
        }
        if (!catalog.Strategies.Contains(options.Strategy)) throw new ArgumentException(catalog.UnknownStrategyMessage(options.Strategy));
        return new SearchComponents(space, task, objective, catalog.Strategies.Get(options.Strategy), null, strategyOptions);
    }

    /// <summary>The options with latency timed the way the objective scores it (its batch size).</summary>
    public SearchOptions Measured(SearchOptions options) => options.Latency.BatchSize == Objective.MeasureBatchSize ? options
        : options with { Latency = options.Latency with { BatchSize = Objective.MeasureBatchSize } };

    public ISearchStrategy CreateStrategy(long seed) =>
        (Strategy ?? throw new InvalidOperationException($"A one-shot search ({OneShot!.Name}) has no trial strategy."))
            .Create(Space.Decisions, seed, StrategyOptions);

    public Candidate Candidate(IArchitecture architecture) => new(architecture, Space.Graph(architecture), Task);

    /// <summary>Reads a stored architecture of this search's space.</summary>
    public Candidate Parse(string architectureJson) => Candidate(Space.Parse(architectureJson));
}
