namespace NasPlatform.Data.Entities;

public enum SearchStatus { Queued, Running, Succeeded, Failed, Cancelled }

/// <summary>One architecture search: its settings, where it stands, and the strategy's saved state.</summary>
public sealed class Search : IOwned
{
    public Guid Id { get; set; }

    /// <summary>The user it belongs to; only they (and administrators) see it.</summary>
    public Guid OwnerId { get; set; }
    public required string Name { get; set; }
    public Guid DatasetId { get; set; }
    public Dataset? Dataset { get; set; }

    /// <summary>Registry names of the search's parts (NasPlatform.Engine.Components.SearchCatalog) and their options as JSON objects.</summary>
    public required string SearchSpace { get; set; }
    public string? SpaceOptionsJson { get; set; }
    public string Task { get; set; } = "classification";
    public required string Strategy { get; set; }

    /// <summary>Every strategy option, defaults filled in, as the search was started with them.</summary>
    public string? StrategyOptionsJson { get; set; }
    public string Objective { get; set; } = "mnasnet";
    public string? ObjectiveOptionsJson { get; set; }

    /// <summary>trials (the strategy proposes, each trial trains) or one-shot (one long checkpointed job derives the architecture).</summary>
    public string Kind { get; set; } = SearchKinds.Trials;

    /// <summary>Name of the task's primary metric (e.g. accuracy): what trials' and the model's metric values are.</summary>
    public string Metric { get; set; } = "accuracy";
    public double LatencyBudgetMs { get; set; }

    /// <summary>soft or hard (MnasNet's two reward settings).</summary>
    public required string Constraint { get; set; }

    /// <summary>Device class the trials run and are measured on (also the Hangfire queue).</summary>
    public required string TargetDevice { get; set; }

    /// <summary>Where latency is measured when not on the training workers: <c>agent:NAME</c>, an edge device of the owner (null = the workers).</summary>
    public string? LatencyDevice { get; set; }

    /// <summary>How long the search may wait for a worker of its device class to come online; null = it was refused if none was.</summary>
    public double? WaitForWorkerMinutes { get; set; }
    public int MaxTrials { get; set; }
    public double? MaxMinutes { get; set; }
    public int ProxyEpochs { get; set; }
    public double ProxyFraction { get; set; }
    public int FinalEpochs { get; set; }

    /// <summary>The training recipe's knobs (the rest are the engine's defaults, stated in the model card).</summary>
    public int BatchSize { get; set; } = 128;
    public bool HorizontalFlip { get; set; }
    public double RandomErasing { get; set; }
    public double? EmaDecay { get; set; }

    /// <summary>Learning-curve early stopping of trials: none or median (the engine's SearchOptions names).</summary>
    public string EarlyStopping { get; set; } = "none";

    /// <summary>The topology prior added to the reward: none or irlas (the engine's PriorOptions), its weight and expert (a zoo member; null = the default).</summary>
    public string Prior { get; set; } = "none";
    public double PriorWeight { get; set; }
    public string? PriorExpert { get; set; }

    /// <summary>Whether the baseline zoo is trained beside the search (see <see cref="Baseline"/>).</summary>
    public bool Baselines { get; set; }
    public long Seed { get; set; }

    /// <summary>How many trials may be queued or running at once.</summary>
    public int Parallelism { get; set; }

    public SearchStatus Status { get; set; }
    public string? Error { get; set; }

    /// <summary>How a finished search's model stands to its budget: met, over-budget (a hard budget missed) or soft; null until the model exists.</summary>
    public string? Outcome { get; set; }

    /// <summary>trials, final or done: what the search is doing now.</summary>
    public string Phase { get; set; } = SearchPhases.Trials;
    public int TrialsCompleted { get; set; }
    public Guid? BestTrialId { get; set; }

    /// <summary>JSON list of the finalists measured again before the final training (trial, trial latency, new figure, within budget); hard budgets only.</summary>
    public string? FinalistsJson { get; set; }
    public Guid? ModelId { get; set; }

    /// <summary>The Hangfire job of the phase's one long step (final training, one-shot run), so the watchdog can tell a lost one.</summary>
    public string? PhaseJobId { get; set; }

    /// <summary>The strategy's full state after the last reported result (JSON), so the search can resume;
    /// for a one-shot search, its last checkpoint's description.</summary>
    public string? StrategyState { get; set; }

    /// <summary>The study this search is one run of (a strategy and a seed of it), if any.</summary>
    public Guid? StudyId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Optimistic concurrency: trial results arriving together advance the strategy one at a time.</summary>
    public int Version { get; set; }

    public List<Trial> Trials { get; set; } = [];

    public bool IsFinished => Status is SearchStatus.Succeeded or SearchStatus.Failed or SearchStatus.Cancelled;
}

public static class SearchKinds
{
    public const string Trials = "trials";
    public const string OneShot = "one-shot";
}

public static class SearchPhases
{
    public const string Trials = "trials";
    public const string OneShot = "one-shot";
    public const string Final = "final";
    public const string Done = "done";
}
