using System.Text.Json;
using Microsoft.Extensions.Options;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Priors;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Training;
using NasPlatform.Platform.Configuration;

namespace NasPlatform.Platform.Searches;

/// <summary>A stored search as the engine sees it: its options (with this worker's device settings) and its resolved parts.</summary>
public sealed record SearchPlan(SearchOptions Options, SearchComponents Components);

/// <summary>
/// Turns a stored search into the engine's options and parts: the space, strategy (with its stored
/// options), objective and task named on the search, looked up in the catalog. Every job goes
/// through here, so what a search was started with is what runs.
/// </summary>
public sealed class SearchSetup(SearchCatalog catalog, IOptions<PlatformOptions> options)
{
    public SearchCatalog Catalog => catalog;

    /// <param name="search">With its Dataset loaded.</param>
    public SearchPlan For(Search search)
    {
        var engine = ToEngine(search, options.Value.Worker);
        var dataset = search.Dataset ?? throw new InvalidOperationException("The search's dataset is not loaded.");
        var components = SearchComponents.Resolve(catalog, engine, Shape(dataset));
        return new SearchPlan(components.Measured(engine), components);
    }

    /// <summary>A stored architecture of the search as a table for pages and cards.</summary>
    /// <exception cref="FormatException">The JSON is not an architecture of the search's space.</exception>
    public ArchitectureView Describe(Search search, string architectureJson)
    {
        var space = For(search).Components.Space;
        return space.Describe(space.Parse(architectureJson));
    }

    /// <summary>The architecture a one-shot search's step stands for (its method's view), or null (a trial search, or a method without one).</summary>
    public ArchitectureView? DescribeStep(Search search, Engine.OneShot.OneShotProgress step)
    {
        var components = For(search).Components;
        return components.OneShot?.Describe(step, components.Space);
    }

    public static DataShape Shape(Dataset d) => new(new FeatureShape(d.Channels, d.Height, d.Width), d.NumClasses);

    public static JsonElement? Json(string? stored) => stored is null ? null : JsonDocument.Parse(stored).RootElement.Clone();

    public static SearchOptions ToEngine(Search search, WorkerOptions worker) => new()
    {
        LatencyBudgetMs = search.LatencyBudgetMs,
        Constraint = MnasReward.Parse(search.Constraint),
        Space = search.SearchSpace,
        SpaceOptions = Json(search.SpaceOptionsJson),
        Task = search.Task,
        Strategy = search.Strategy,
        // Searches stored before options were (null) keep the sizes they started with: the papers' ones.
        StrategyOptions = search.StrategyOptionsJson is null ? new StrategyOptions().ForBudget(null)
            : ComponentOptions.Read<StrategyOptions>(Json(search.StrategyOptionsJson), $"the {search.Strategy} strategy"),
        Objective = search.Objective,
        ObjectiveOptions = Json(search.ObjectiveOptionsJson),
        Prior = new PriorOptions { Name = search.Prior, Weight = search.PriorWeight, Expert = search.PriorExpert },
        MaxTrials = search.MaxTrials,
        MaxMinutes = search.MaxMinutes,
        ProxyEpochs = search.ProxyEpochs,
        ProxyFraction = search.ProxyFraction,
        FinalEpochs = search.FinalEpochs,
        EarlyStopping = search.EarlyStopping,
        Training = new TrainingOptions
        {
            BatchSize = search.BatchSize, HorizontalFlip = search.HorizontalFlip, ErasingProbability = search.RandomErasing, EmaDecay = search.EmaDecay,
        },
        Seed = search.Seed,
        Threads = worker.EffectiveThreads,
        Device = worker.TorchDevice,
        Latency = new LatencyOptions { WarmupRuns = worker.LatencyWarmupRuns, TimedRuns = worker.LatencyTimedRuns, Rounds = Math.Min(worker.LatencyRounds, worker.LatencyTimedRuns / 3),
            Method = Enum.Parse<LatencyMethod>(worker.LatencyMethod, ignoreCase: true), Runtime = Enum.Parse<LatencyRuntime>(worker.LatencyRuntime, ignoreCase: true) },
    };
}
