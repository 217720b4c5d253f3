using NasPlatform.Engine.Common;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using TorchSharp;

namespace NasPlatform.Engine.Tests.TestData;

/// <summary>What every registered space must do with its architectures, for the spaces' tests.</summary>
internal static class SpaceChecks
{
    /// <summary>The input shapes every space is tried on: channels, side, classes (an odd side included).</summary>
    public static IEnumerable<object[]> Inputs() => [[1, 28, 10], [3, 32, 10], [3, 64, 5], [1, 27, 3]];

    public static ISearchSpace Create(string name, int channels, int size, int classes, object? options = null) =>
        SearchCatalog.BuiltIn.Spaces.Get(name).Create(new SpaceInput(new FeatureShape(channels, size, size), new TaskOutput(classes)),
            options is null ? null : System.Text.Json.JsonSerializer.SerializeToElement(options));

    /// <summary>Random choices, then the all-first and all-last corners, where shape bugs hide.</summary>
    public static IEnumerable<IArchitecture> Samples(ISearchSpace space, int seed, int count)
    {
        var random = new SeededRandom(seed);
        var d = space.Decisions.Decisions;
        for (int i = 0; i < count; i++) yield return space.Decode(d.Select(x => random.Next(x.Cardinality)).ToArray());
        yield return space.Decode(d.Select(_ => 0).ToArray());
        yield return space.Decode(d.Select(x => x.Cardinality - 1).ToArray());
    }

    /// <summary>Builds the network, runs a batch of 2 forward and checks the output and the analytic parameter count.</summary>
    public static void BuildsRunsAndCountsExactly(ISearchSpace space, IArchitecture arch, int channels, int size, int classes)
    {
        using var scope = torch.NewDisposeScope();
        var candidate = new Candidate(arch, space.Graph(arch), Mnas.Task);
        using var net = candidate.Build(1);
        net.eval();
        using var noGrad = torch.no_grad();
        var output = net.call(torch.randn(2, channels, size, size));
        Assert.Equal([2L, classes], output.shape);
        Assert.False(output.isnan().any().item<bool>(), $"NaN output for {arch.ToJson()}");
        Assert.Equal(Mnas.ParameterCount(net), candidate.Cost.Parameters);
        Assert.True(candidate.Cost.MultiplyAdds > 0);
    }

    /// <summary>The task a space's networks are tested with: classification where it serves it, else the first task it serves.</summary>
    public static ITask TaskFor(string space) => SearchCatalog.BuiltIn.TaskFor(SearchCatalog.BuiltIn.Spaces.Get(space));

    public static long Parameters(ISearchSpace space, IArchitecture arch) => new Candidate(arch, space.Graph(arch), Mnas.Task).Cost.Parameters;
}
