using NasPlatform.Engine.Components;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Zoo;

namespace NasPlatform.Engine.Priors;

/// <summary>A search's topology prior: none, or IRLAS's mirror stimuli learned from an expert network of the zoo.</summary>
public sealed record PriorOptions
{
    public const string None = "none";

    /// <summary>none or irlas.</summary>
    public string Name { get; init; } = None;

    /// <summary>The prior term's weight in the reward: reward = objective + Weight x mirror stimulus (in (0, 1)).</summary>
    public double Weight { get; init; } = DefaultWeight;

    /// <summary>A zoo member's name (e.g. resnet20-1x); null = the 1x member of the search space's own family, or resnet20-1x.</summary>
    public string? Expert { get; init; }

    /// <summary>About the accuracy gap between neighbouring candidates on Fashion-MNIST: a tie-breaker, not a master.</summary>
    public const double DefaultWeight = 0.02;

    public bool Enabled => Name != None;

    public void Validate()
    {
        if (Name is not (None or IrlasPrior.PriorName)) throw new ArgumentException($"Unknown prior '{Name}': use none or irlas.");
        if (!(Weight >= 0 && Weight <= 10)) throw new ArgumentException("The prior's weight must be between 0 and 10.");
        if (Expert is { } e && (e.Length == 0 || e.Length > 64)) throw new ArgumentException("The prior's expert must name a zoo member, e.g. resnet20-1x.");
    }
}

/// <summary>An objective with a topology prior's term added to its reward; the term and the raw stimulus go into the trial's terms.</summary>
public sealed class PriorObjective(ISearchObjective inner, IrlasPrior prior, double weight) : ISearchObjective
{
    // The families a space's default expert is taken from, in IRLAS's order of preference (ResNeXt-like first).
    private static readonly string[] ExpertFamilies = ["resnet20", "mobilenetv2", "shufflenetv2", "tresnet", "vgg"];

    public string Name => inner.Name;

    public int MeasureBatchSize => inner.MeasureBatchSize;

    public IrlasPrior Prior => prior;

    public TrialScore Score(ObjectiveInput input)
    {
        var score = inner.Score(input);
        if (input.Graph is null) return score;
        double mirror = prior.Mirror(input.Graph);
        var terms = new Dictionary<string, double>(score.Terms) { ["prior"] = weight * mirror, ["mirror"] = mirror };
        return new TrialScore(score.Reward + weight * mirror, terms);
    }

    /// <summary>The search's objective with its prior, if it has one (the expert looked up in the zoo for this input).</summary>
    /// <exception cref="ArgumentException">The expert is not a zoo member that builds for this input and task.</exception>
    public static ISearchObjective Compose(ISearchObjective objective, PriorOptions options, SearchCatalog catalog, ISearchSpace space,
        SpaceInput input, string task, long seed)
    {
        if (!options.Enabled) return objective;
        var members = BaselineZoo.Members(catalog, input, task);
        var expert = options.Expert is { } name
            ? members.FirstOrDefault(m => m.Name == name)
              ?? throw new ArgumentException($"Unknown expert '{name}' for the prior: use one of {string.Join(", ", members.Select(m => m.Name))}.")
            : ExpertFamilies.Select(f => members.FirstOrDefault(m => m.Family == f && m.Width == 1.0 && m.Space.Name == space.Name)).FirstOrDefault(m => m is not null)
              ?? members.FirstOrDefault(m => m.Name == "resnet20-1x")
              ?? throw new ArgumentException("No zoo network builds for this input to serve as the prior's expert.");
        var prior = IrlasPrior.Fit(space, expert.Name, expert.Space.Graph(expert.Architecture), seed);
        return new PriorObjective(objective, prior, options.Weight);
    }
}
