using System.Globalization;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Spaces;

namespace NasPlatform.Engine.Latency;

/// <summary>One layer of a network as the latency table sees it: its key, the op and the shape it runs on.</summary>
public sealed record LatencyLayer(string Key, IOp Op, FeatureShape Input);

/// <summary>
/// Splits a network into the layers whose latencies are summed (nn-Meter's kernel-level sum): the
/// leaves of its sequences. A key names what decides a layer's run time — its kind, input and output
/// shapes, parameters and multiply-adds — so the same layer in any architecture of any space shares
/// one table entry.
/// </summary>
public static class LatencyLayers
{
    public static IReadOnlyList<LatencyLayer> Of(ArchitectureGraph graph)
    {
        var layers = new List<LatencyLayer>();
        Flatten(graph.Backbone, graph.Input, layers);
        return layers;
    }

    public static string Key(IOp op, FeatureShape input)
    {
        var cost = op.Cost(input);
        return string.Create(CultureInfo.InvariantCulture, $"{op.Kind}|{input}|{op.Output(input)}|p{cost.Parameters}|m{cost.MultiplyAdds}");
    }

    private static FeatureShape Flatten(IOp op, FeatureShape input, List<LatencyLayer> into)
    {
        if (op is Sequence sequence)
        {
            foreach (var (_, inner) in sequence.Ops) input = Flatten(inner, input, into);
            return input;
        }
        into.Add(new LatencyLayer(Key(op, input), op, input));
        return op.Output(input);
    }
}
