using NasPlatform.Engine.Components;
using NasPlatform.Engine.Strategies;

namespace NasPlatform.Engine.Tests.Strategies;

/// <summary>The built-in strategies, taken from the registry the CLI and the platform use.</summary>
internal static class BuiltInStrategies
{
    public static IReadOnlyList<string> Names => SearchCatalog.BuiltIn.Strategies.Names;

    public static ISearchStrategy Create(string name, DecisionSpace space, long seed, StrategyOptions? options = null) =>
        SearchCatalog.BuiltIn.Strategies.Get(name).Create(space, seed, options ?? new StrategyOptions());
}
