using NasPlatform.Data.Entities;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objective;
using NasPlatform.Engine.Search;
using NasPlatform.Engine.SearchSpace;
using NasPlatform.Platform.Configuration;

namespace NasPlatform.Platform.Searches;

/// <summary>Translates a stored search into the engine's options, with this worker's device settings.</summary>
public static class SearchSettings
{
    public static SearchOptions ToEngine(Search search, WorkerOptions worker) => new()
    {
        LatencyBudgetMs = search.LatencyBudgetMs,
        Constraint = search.Constraint == "hard" ? LatencyConstraint.Hard : LatencyConstraint.Soft,
        Strategy = search.Strategy,
        MaxTrials = search.MaxTrials,
        MaxMinutes = search.MaxMinutes,
        ProxyEpochs = search.ProxyEpochs,
        ProxyFraction = search.ProxyFraction,
        FinalEpochs = search.FinalEpochs,
        Seed = search.Seed,
        Threads = worker.EffectiveThreads,
        Device = worker.TorchDevice,
        Latency = new LatencyOptions { WarmupRuns = worker.LatencyWarmupRuns, TimedRuns = worker.LatencyTimedRuns, Rounds = Math.Min(worker.LatencyRounds, worker.LatencyTimedRuns / 3) },
    };

    public static MnasSearchSpace Space(Dataset dataset) =>
        new(dataset.Channels, dataset.Height, dataset.Width, dataset.NumClasses, new MnasSpaceOptions());
}
