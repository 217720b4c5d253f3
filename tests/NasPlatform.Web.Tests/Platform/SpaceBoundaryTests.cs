using System.Reflection;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Spaces.MnasNet;

namespace NasPlatform.Web.Tests.Platform;

/// <summary>Adding a space is one folder and one registration: nothing outside a space's folder knows its types.</summary>
public class SpaceBoundaryTests
{
    private static readonly Assembly[] Product =
    [
        typeof(SearchCatalog).Assembly,                                // engine
        typeof(NasPlatform.Platform.Searches.SearchSetup).Assembly,    // jobs and services
        typeof(NasPlatform.Data.NasDbContext).Assembly,                // database
        typeof(NasPlatform.Web.Api.SearchesApi).Assembly,              // API and pages
    ];

    [Fact]
    public void NoTypeOutsideTheMnasNetFolder_UsesItsTypesInASignatureOrField()
    {
        string folder = typeof(MnasArchitecture).Namespace!;
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var offenders = new List<string>();
        foreach (var type in Product.SelectMany(a => a.GetTypes()).Where(t => t.Namespace != folder && !(t.Namespace ?? "").StartsWith(folder + ".", StringComparison.Ordinal)))
        {
            var used = type.GetFields(all).Select(f => f.FieldType)
                .Concat(type.GetProperties(all).Select(p => p.PropertyType))
                .Concat(type.GetMethods(all).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)))
                .Concat(type.GetConstructors(all).SelectMany(c => c.GetParameters().Select(p => p.ParameterType)));
            offenders.AddRange(used.Where(u => u.Namespace == folder).Select(u => $"{type.FullName} uses {u.Name}"));
        }
        Assert.Empty(offenders);
    }
}
