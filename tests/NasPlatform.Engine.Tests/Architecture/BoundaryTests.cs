using System.Reflection;
using NasPlatform.Engine.Strategies;

namespace NasPlatform.Engine.Tests.Architecture;

/// <summary>The engine is hosted by background jobs later: it must not grow web or database dependencies.</summary>
public class BoundaryTests
{
    [Fact]
    public void Engine_DoesNotReferenceAspNetCoreOrEntityFramework()
    {
        var references = typeof(ISearchStrategy).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        Assert.DoesNotContain(references, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, n => n.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
    }

    [Fact]
    public void Strategies_DoNotDependOnTrainingDatasetsOrTheSearchLoop()
    {
        string[] forbidden = ["NasPlatform.Engine.Training", "NasPlatform.Engine.Datasets", "NasPlatform.Engine.Pipeline", "NasPlatform.Engine.Spaces",
            "NasPlatform.Engine.Tasks", "NasPlatform.Engine.Ops", "NasPlatform.Engine.Objectives", "NasPlatform.Engine.Latency"];
        var strategyTypes = typeof(ISearchStrategy).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("NasPlatform.Engine.Strategies", StringComparison.Ordinal) == true);
        foreach (var type in strategyTypes)
        {
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var used = type.GetFields(all).Select(f => f.FieldType)
                .Concat(type.GetMethods(all).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)))
                .Concat(type.GetConstructors(all).SelectMany(c => c.GetParameters().Select(p => p.ParameterType)));
            foreach (var u in used)
                Assert.False(forbidden.Any(f => u.Namespace == f || u.Namespace?.StartsWith(f + ".", StringComparison.Ordinal) == true), $"{type.FullName} uses {u.FullName}");
        }
    }
}
