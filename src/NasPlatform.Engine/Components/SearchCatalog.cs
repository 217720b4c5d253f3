using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.OneShot;
using NasPlatform.Engine.OneShot.Darts;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Spaces.Darts;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Engine.Spaces.ResNet;
using NasPlatform.Engine.Spaces.ShuffleNetV2;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tasks.Classification;

namespace NasPlatform.Engine.Components;

/// <summary>
/// Every pluggable part by name: search spaces, strategies (trial-based) and one-shot methods, which
/// share one namespace of strategy names, objectives and tasks. The CLI uses the built-in catalog;
/// the platform builds one from its DI container, so a host (or a test) adds a part by registering
/// one more definition.
/// </summary>
public sealed class SearchCatalog
{
    public static IReadOnlyList<ISearchSpaceDefinition> BuiltInSpaces { get; } =
        [new MnasNetDefinition(), new MnasNetDefinition(MnasProfile.Small), new ResNetDefinition(), new ShuffleNetV2Definition(), new DartsDefinition(),
         new Spaces.AutoDeepLab.AutoDeepLabDefinition(), new Spaces.NasFpn.NasFpnDefinition()];
    public static IReadOnlyList<IObjectiveDefinition> BuiltInObjectives { get; } = [new MnasObjective.Definition(), new ThroughputObjective.Definition()];
    public static IReadOnlyList<ITask> BuiltInTasks { get; } = [new ClassificationTask(), new Tasks.Segmentation.SegmentationTask(), new Tasks.Detection.DetectionTask()];

    public static IReadOnlyList<IOneShotMethod> BuiltInOneShot { get; } = [new DartsMethod(), new OneShot.AutoDeepLab.AutoDeepLabMethod()];

    public static SearchCatalog BuiltIn { get; } = new(BuiltInSpaces, StrategyDefinition.BuiltIn, BuiltInObjectives, BuiltInTasks, BuiltInOneShot);

    public SearchCatalog(IEnumerable<ISearchSpaceDefinition> spaces, IEnumerable<IStrategyDefinition> strategies,
        IEnumerable<IObjectiveDefinition> objectives, IEnumerable<ITask> tasks, IEnumerable<IOneShotMethod> oneShot)
    {
        Spaces = new("search space", spaces);
        Strategies = new("strategy", strategies);
        Objectives = new("objective", objectives);
        Tasks = new("task", tasks);
        OneShot = new("one-shot method", oneShot);
        var both = Strategies.Names.Intersect(OneShot.Names).ToList();
        if (both.Count > 0) throw new ArgumentException($"'{both[0]}' is registered both as a strategy and as a one-shot method.");
    }

    public Registry<ISearchSpaceDefinition> Spaces { get; }
    public Registry<IStrategyDefinition> Strategies { get; }
    public Registry<IObjectiveDefinition> Objectives { get; }
    public Registry<ITask> Tasks { get; }
    public Registry<IOneShotMethod> OneShot { get; }

    /// <summary>Every name a search's strategy may have: trial-based strategies, then one-shot methods.</summary>
    public IReadOnlyList<string> StrategyNames => [.. Strategies.Names, .. OneShot.Names];

    /// <summary>The name and description of every strategy and one-shot method, for forms and help.</summary>
    public IEnumerable<IRegistered> AllStrategies => Strategies.All.Cast<IRegistered>().Concat(OneShot.All);

    /// <summary>The StrategyOptions fields a strategy or one-shot method reads.</summary>
    public IReadOnlyList<string> StrategyOptionNames(string name) =>
        Strategies.Contains(name) ? Strategies.Get(name).OptionNames : OneShot.Contains(name) ? OneShot.Get(name).OptionNames : [];

    /// <summary>The task to try a space with when none is given: classification where the space serves it, else the first task it serves.</summary>
    public ITask TaskFor(ISearchSpaceDefinition space) =>
        Tasks.Get(space.Tasks.Contains(ClassificationTask.TaskName) || space.Tasks.Count == 0 ? ClassificationTask.TaskName : space.Tasks[0]);

    public bool IsStrategy(string name) => Strategies.Contains(name) || OneShot.Contains(name);

    public string UnknownStrategyMessage(string name) => $"Unknown strategy '{name}': use {string.Join(", ", StrategyNames)}.";
}
