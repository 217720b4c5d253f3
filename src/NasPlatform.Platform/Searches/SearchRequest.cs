using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Priors;
using NasPlatform.Engine.Zoo;

namespace NasPlatform.Platform.Searches;

/// <summary>What a user asks for when launching a search; everything but the dataset and the budget has a default.</summary>
public sealed record SearchRequest
{
    public Guid DatasetId { get; init; }
    public string? Name { get; init; }
    public string SearchSpace { get; init; } = Defaults.Space;

    /// <summary>The space's options, e.g. {"widthScale": 0.5} for mnasnet.</summary>
    public JsonElement? SpaceOptions { get; init; }

    /// <summary>classification or segmentation; null = the dataset's task.</summary>
    public string? Task { get; init; }
    public string Strategy { get; init; } = Defaults.Strategy;

    /// <summary>The strategy's options, e.g. {"populationSize": 10, "sampleSize": 3}; unnamed ones keep their defaults.</summary>
    public JsonElement? StrategyOptions { get; init; }

    /// <summary>How a trial's reward is computed: mnasnet (metric x (latency / budget)^w).</summary>
    public string Objective { get; init; } = Defaults.Objective;
    public JsonElement? ObjectiveOptions { get; init; }
    public double LatencyBudgetMs { get; init; }
    public string Constraint { get; init; } = "soft";
    public string TargetDevice { get; init; } = "cpu";

    /// <summary>
    /// Where latency is measured, when not on the training workers: <c>agent:NAME</c>, one of the caller's edge devices,
    /// whose agent receives each model as ONNX (null = the workers of <see cref="TargetDevice"/>).
    /// </summary>
    public string? LatencyDevice { get; init; }

    /// <summary>
    /// When no worker of the target device class is online: null refuses the search; a number of minutes
    /// accepts it, shows it waiting for a worker of that class, and fails it if none comes online in time.
    /// </summary>
    public double? WaitForWorkerMinutes { get; init; }
    public int MaxTrials { get; init; } = 20;
    public double? MaxMinutes { get; init; }
    /// <summary>Training lengths; null = sized from the dataset (see the engine's TrainingDefaults), stored concrete.</summary>
    public int? ProxyEpochs { get; init; }
    public double? ProxyFraction { get; init; }
    public int? FinalEpochs { get; init; }
    public int? BatchSize { get; init; }

    /// <summary>Augmentation: flips only where mirrored images keep their class; random erasing in the final training.</summary>
    public bool HorizontalFlip { get; init; }
    public double RandomErasing { get; init; } = SearchOptions.DefaultErasing;

    /// <summary>Weight EMA decay of the final training (e.g. 0.999); null = off.</summary>
    public double? EmaDecay { get; init; }
    public long Seed { get; init; } = 1;

    /// <summary>Stop a trial's proxy training when its curve falls below the median of completed ones: none or median.</summary>
    public string EarlyStopping { get; init; } = SearchOptions.NoEarlyStopping;

    /// <summary>A topology prior added to the reward: none or irlas, with its weight and expert network (a zoo member; null = the default).</summary>
    public string Prior { get; init; } = PriorOptions.None;
    public double PriorWeight { get; init; } = PriorOptions.DefaultWeight;
    public string? PriorExpert { get; init; }

    /// <summary>Also train the baseline zoo with the final recipe, shown beside the search's model.</summary>
    public bool Baselines { get; init; }

    /// <summary>With <see cref="Baselines"/>: only these zoo families (e.g. ["deeplab"]); null = every family that serves the task.</summary>
    public IReadOnlyList<string>? BaselineFamilies { get; init; }

    /// <summary>Trials queued or running at once; null = the platform's default.</summary>
    public int? Parallelism { get; init; }

    public static IReadOnlyList<string> Constraints { get; } = ["soft", "hard"];

    /// <summary>Every problem found, by field (camelCase, as in the API); empty when the request is valid.</summary>
    public Dictionary<string, string[]> Validate(SearchCatalog catalog)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = [message];
        if (DatasetId == Guid.Empty) Add("datasetId", "Choose a dataset.");
        if (Name is { Length: > 200 }) Add("name", "The name is longer than 200 characters.");
        if (!catalog.Spaces.Contains(SearchSpace)) Add("searchSpace", catalog.Spaces.UnknownMessage(SearchSpace));
        if (BaselineFamilies?.FirstOrDefault(f => BaselineZoo.Families.All(z => z.Name != f)) is { } family)
            Add("baselineFamilies", $"Unknown baseline family '{family}': use {string.Join(", ", BaselineZoo.Families.Select(z => z.Name))}.");
        if (Task is not null && !catalog.Tasks.Contains(Task)) Add("task", catalog.Tasks.UnknownMessage(Task));
        if (!catalog.IsStrategy(Strategy)) Add("strategy", catalog.UnknownStrategyMessage(Strategy));
        if (!catalog.Objectives.Contains(Objective)) Add("objective", catalog.Objectives.UnknownMessage(Objective));
        if (!(LatencyBudgetMs > 0) || double.IsInfinity(LatencyBudgetMs)) Add("latencyBudgetMs", "The latency budget must be a positive number of milliseconds.");
        else if (LatencyBudgetMs > 600_000) Add("latencyBudgetMs", "A latency budget over 10 minutes per image is not a budget.");
        else if (LatencyBudgetMs < 0.01) Add("latencyBudgetMs", "No network runs in under 0.01 ms; raise the budget.");
        if (!Constraints.Contains(Constraint)) Add("constraint", "The constraint is soft or hard.");
        if (MaxTrials is < 1 or > 10_000) Add("maxTrials", "The trial budget must be between 1 and 10000.");
        if (MaxMinutes is { } m && (!(m > 0) || m > 60 * 24 * 30)) Add("maxMinutes", "The time budget must be positive and at most 30 days.");
        if (ProxyEpochs is < 1 or > 1000) Add("proxyEpochs", "Proxy epochs must be between 1 and 1000.");
        if (ProxyFraction is { } f && !(f > 0 && f <= 1)) Add("proxyFraction", "The proxy fraction must be in (0, 1].");
        if (FinalEpochs is < 1 or > 10_000) Add("finalEpochs", "Final epochs must be between 1 and 10000.");
        if (BatchSize is < 1 or > 4096) Add("batchSize", "The batch size must be between 1 and 4096.");
        if (!(RandomErasing is >= 0 and <= 1)) Add("randomErasing", "The random-erasing probability must be in [0, 1].");
        if (EmaDecay is { } d && !(d is > 0 and < 1)) Add("emaDecay", "The EMA decay must be in (0, 1).");
        if (EarlyStopping is not (SearchOptions.NoEarlyStopping or SearchOptions.MedianEarlyStopping))
            Add("earlyStopping", $"Early stopping '{EarlyStopping}' is not none or median.");
        if (Prior is not (PriorOptions.None or IrlasPrior.PriorName)) Add("prior", $"Unknown prior '{Prior}': use none or irlas.");
        if (!(PriorWeight is >= 0 and <= 10)) Add("priorWeight", "The prior's weight must be between 0 and 10.");
        if (PriorExpert is { } expert && !BaselineZoo.MemberNames.Contains(expert))
            Add("priorExpert", $"Unknown expert '{expert}': use one of {string.Join(", ", BaselineZoo.MemberNames)}.");
        if (WaitForWorkerMinutes is { } w && !(w > 0 && w <= 7 * 24 * 60)) Add("waitForWorkerMinutes", "The wait for a worker must be positive and at most 7 days.");
        if (Parallelism is < 1 or > 256) Add("parallelism", "Parallelism must be between 1 and 256.");
        if (string.IsNullOrWhiteSpace(TargetDevice) || !TargetDevice.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            Add("targetDevice", "The target device is a device class such as cpu or cuda.");
        if (LatencyDevice is { } ld && !ld.StartsWith("agent:", StringComparison.Ordinal))
            Add("latencyDevice", "The latency device is agent:NAME, one of your edge devices (see /api/v1/devices).");
        return errors;
    }
}
