using System.Globalization;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Spaces;

namespace NasPlatform.Engine.Latency;

/// <summary>One layer of a network as the latency table sees it: its key, the op and the shape it runs on.</summary>
public sealed record LatencyLayer(string Key, IOp Op, FeatureShape Input);

/// <summary>
/// Splits a network into the layers whose latencies are summed (nn-Meter's kernel-level sum): the
/// leaves of its sequences, and inside a stack of cells the stem, each cell's preprocessing and each
/// edge's op (the additions and concatenations between them go to the predictor's overhead). A key names what decides a layer's run time — its kind, input and output
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

    /// <summary>The layers of one op on an input of the given shape.</summary>
    public static IReadOnlyList<LatencyLayer> Of(IOp op, FeatureShape input)
    {
        var layers = new List<LatencyLayer>();
        Flatten(op, input, layers);
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
        if (op is Ops.Cells.CellNetwork network)
        {
            var s1 = Flatten(network.Stem, input, into);
            var s0 = s1;
            foreach (var cell in network.Cells)
            {
                var states = cell.States(s0, s1);
                Flatten(cell.Pre0, s0, into);
                Flatten(cell.Pre1, s1, into);
                foreach (var edge in cell.Edges) Flatten(edge.Op, states[edge.From], into);
                (s0, s1) = (s1, cell.Output(s0, s1));
            }
            return s1;
        }
        into.Add(new LatencyLayer(Key(op, input), op, input));
        return op.Output(input);
    }
}
