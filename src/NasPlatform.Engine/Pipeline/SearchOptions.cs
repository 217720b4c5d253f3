using System.Text.Json;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Priors;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Pipeline;

/// <summary>Everything that defines one search; the same options and seed give the same trials on CPU.</summary>
public sealed record SearchOptions
{
    /// <summary>The user's latency budget T in milliseconds.</summary>
    public required double LatencyBudgetMs { get; init; }
    public LatencyConstraint Constraint { get; init; } = LatencyConstraint.Soft;

    /// <summary>Registry names of the search's parts, and their options (see <see cref="SearchComponents"/>).</summary>
    public string Space { get; init; } = Defaults.Space;

    /// <summary>The space's own options as a JSON object, e.g. {"widthScale": 0.5} for mnasnet; null = its defaults.</summary>
    public JsonElement? SpaceOptions { get; init; }

    public string Task { get; init; } = Defaults.Task;
    public string Strategy { get; init; } = Defaults.Strategy;
    public StrategyOptions StrategyOptions { get; init; } = new();
    public string Objective { get; init; } = Defaults.Objective;
    public JsonElement? ObjectiveOptions { get; init; }

    /// <summary>A topology prior added to the objective's reward (IRLAS); none by default.</summary>
    public PriorOptions Prior { get; init; } = new();

    /// <summary>Trial budget (architectures trained at proxy fidelity).</summary>
    public int MaxTrials { get; init; } = 20;

    /// <summary>Wall-clock budget for the trials (the final training comes after it); null = none.</summary>
    public double? MaxMinutes { get; init; }

    /// <summary>
    /// Wall-clock budget for the search and the final training together; null = none. The final training then takes
    /// as many epochs (at most <see cref="FinalEpochs"/>) as fit in what the search left (see <see cref="FinalBudget"/>).
    /// </summary>
    public double? MaxTotalMinutes { get; init; }

    /// <summary>When the trials stop: <see cref="MaxMinutes"/>, or half the total budget when only that is given.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double? SearchMinutes => MaxMinutes ?? MaxTotalMinutes / 2;

    /// <summary>Proxy fidelity: epochs and fraction of the training split per trial.</summary>
    public int ProxyEpochs { get; init; } = 3;
    public double ProxyFraction { get; init; } = 0.25;

    /// <summary>Epochs of the final training of the best architecture on train + validation.</summary>
    public int FinalEpochs { get; init; } = 15;

    /// <summary>Fraction of the training part held out for validation (search decisions use it; the test part is never touched).</summary>
    public double ValidationFraction { get; init; } = DefaultValidationFraction;

    public const double DefaultValidationFraction = 0.1;

    public long Seed { get; init; } = 1;

    /// <summary>Learning-curve early stopping of trials: none, or median (the median stopping rule).</summary>
    public string EarlyStopping { get; init; } = NoEarlyStopping;

    public const string NoEarlyStopping = "none", MedianEarlyStopping = "median";

    /// <summary>Also train the baseline zoo with the final recipe, for comparison (see Zoo/BaselineZoo).</summary>
    public bool Baselines { get; init; }

    /// <summary>With <see cref="Baselines"/>: only these zoo families (e.g. deeplab, resnet20); null for every family that serves the task.</summary>
    public IReadOnlyList<string>? BaselineFamilies { get; init; }

    /// <summary>The final training's recipe, and the template of the proxy training (epochs, fraction and seed are set per
    /// use; the proxy drops erasing and EMA). Random erasing is on by default: the final training is long enough for it.</summary>
    public TrainingOptions Training { get; init; } = new() { ErasingProbability = DefaultErasing };

    public const double DefaultErasing = 0.25;

    public LatencyOptions Latency { get; init; } = new();

    /// <summary>Intra-op threads for training.</summary>
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>cpu, cuda, cuda:N or auto.</summary>
    public string Device { get; init; } = "cpu";

    public void Validate()
    {
        if (!(LatencyBudgetMs > 0) || double.IsInfinity(LatencyBudgetMs)) throw new ArgumentException("The latency budget must be a positive number of milliseconds.");
        if (MaxTrials < 1) throw new ArgumentException("The trial budget must be at least 1.");
        if (MaxMinutes is { } m && !(m > 0)) throw new ArgumentException("The time budget must be positive.");
        if (MaxTotalMinutes is { } total && (!(total > 0) || (MaxMinutes is { } search && search >= total)))
            throw new ArgumentException("The total time budget must be positive and longer than the search's time budget.");
        if (ProxyEpochs < 1 || FinalEpochs < 1) throw new ArgumentException("Proxy and final epochs must be at least 1.");
        if (ProxyFraction is <= 0 or > 1) throw new ArgumentException("The proxy fraction must be in (0, 1].");
        if (ValidationFraction is <= 0 or >= 0.9) throw new ArgumentException("The validation fraction must be in (0, 0.9).");
        if (Threads < 1) throw new ArgumentException("At least one thread is needed.");
        if (EarlyStopping is not (NoEarlyStopping or MedianEarlyStopping)) throw new ArgumentException("Early stopping is none or median.");
        if (BaselineFamilies?.FirstOrDefault(f => Zoo.BaselineZoo.Families.All(z => z.Name != f)) is { } unknown)
            throw new ArgumentException($"Unknown baseline family '{unknown}': use {string.Join(", ", Zoo.BaselineZoo.Families.Select(f => f.Name))}.");
        StrategyOptions.Validate();
        Prior.Validate();
        Training.Validate();
        Latency.Validate();
    }
}

/// <summary>The parts a search uses when it names none.</summary>
public static class Defaults
{
    public const string Space = "mnasnet";
    public const string Task = "classification";
    public const string Strategy = "evolution";
    public const string Objective = "mnasnet";
}
