using NasPlatform.Engine.Export;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasPlatform.Engine.Ops.Cells;

/// <summary>An edge of a discrete cell: its op applied to state <see cref="From"/> (0 and 1 are the cell's two inputs, 2 on the earlier nodes).</summary>
public sealed record CellEdge(IOp Op, int From);

/// <summary>
/// A DARTS cell (Liu et al. 2019): both inputs (the outputs of the two previous cells) are brought to
/// the cell's width by <see cref="Pre0"/> and <see cref="Pre1"/>; each intermediate node adds the ops
/// of its two edges; the output concatenates every intermediate node. <see cref="Edges"/> holds two
/// edges per node, in node order.
/// </summary>
public sealed record Cell(IOp Pre0, IOp Pre1, IReadOnlyList<CellEdge> Edges)
{
    public int Nodes => Edges.Count / 2;

    /// <summary>The shapes of every state: the two preprocessed inputs, then each node.</summary>
    public IReadOnlyList<FeatureShape> States(FeatureShape s0, FeatureShape s1)
    {
        var states = new List<FeatureShape> { Pre0.Output(s0), Pre1.Output(s1) };
        if (states[0] != states[1]) throw new ArgumentException($"A cell's inputs disagree after preprocessing: {states[0]} and {states[1]}.");
        for (int node = 0; node < Nodes; node++)
        {
            var (a, b) = (Edges[2 * node], Edges[2 * node + 1]);
            if (a.From >= states.Count || b.From >= states.Count || a.From < 0 || b.From < 0)
                throw new ArgumentException($"Node {node} of a cell reads a state that does not exist yet ({a.From}, {b.From}).");
            var (x, y) = (a.Op.Output(states[a.From]), b.Op.Output(states[b.From]));
            if (x != y) throw new ArgumentException($"The edges of node {node} disagree: {x} and {y}.");
            states.Add(x);
        }
        return states;
    }

    public FeatureShape Output(FeatureShape s0, FeatureShape s1)
    {
        var node = States(s0, s1)[^1];
        return node with { Channels = node.Channels * Nodes };
    }

    public OpCost Cost(FeatureShape s0, FeatureShape s1)
    {
        var states = States(s0, s1);
        var cost = Pre0.Cost(s0) + Pre1.Cost(s1);
        foreach (var e in Edges) cost += e.Op.Cost(states[e.From]);
        return cost;
    }
}

/// <summary>
/// A stack of DARTS cells as one op: a stem whose output feeds the first cell twice, then each cell
/// reads the outputs of the two cells before it. The task's head reads the last cell's output.
/// </summary>
public sealed record CellNetwork(IOp Stem, IReadOnlyList<Cell> Cells) : IOp
{
    public string Kind => "cells";

    public FeatureShape Output(FeatureShape input)
    {
        var s1 = Stem.Output(input);
        var s0 = s1;
        foreach (var cell in Cells) (s0, s1) = (s1, cell.Output(s0, s1));
        return s1;
    }

    public OpCost Cost(FeatureShape input)
    {
        var cost = Stem.Cost(input);
        var s1 = Stem.Output(input);
        var s0 = s1;
        foreach (var cell in Cells)
        {
            cost += cell.Cost(s0, s1);
            (s0, s1) = (s1, cell.Output(s0, s1));
        }
        return cost;
    }

    public Module<Tensor, Tensor> Build() => new CellNetworkModule(this);

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape)
    {
        string Name(string part) => OnnxGraph.Join(prefix, part);
        var s1 = Stem.Emit(g, Name("stem"), input, shape);
        var s1Shape = Stem.Output(shape);
        var (s0, s0Shape) = (s1, s1Shape);
        for (int c = 0; c < Cells.Count; c++)
        {
            var cell = Cells[c];
            string At(string part) => Name($"cells.{c}.{part}");
            var shapes = cell.States(s0Shape, s1Shape);
            var states = new List<string> { cell.Pre0.Emit(g, At("pre0"), s0, s0Shape), cell.Pre1.Emit(g, At("pre1"), s1, s1Shape) };
            for (int node = 0; node < cell.Nodes; node++)
            {
                var ends = new string[2];
                for (int k = 0; k < 2; k++)
                {
                    int e = 2 * node + k;
                    var edge = cell.Edges[e];
                    ends[k] = edge.Op.Emit(g, At($"edges.{e}"), states[edge.From], shapes[edge.From]);
                }
                states.Add(g.Node("Add", At($"node{node}"), ends));
            }
            var output = g.Node("Concat", At("concat"), states.Skip(2), OnnxGraph.Int("axis", 1));
            (s0, s0Shape, s1, s1Shape) = (s1, s1Shape, output, cell.Output(s0Shape, s1Shape));
        }
        return s1;
    }

    private sealed class CellModule : Module<Tensor, Tensor, Tensor>
    {
        // Field names are the state-dict names (pre0, pre1, edges).
        private readonly Module<Tensor, Tensor> pre0;
        private readonly Module<Tensor, Tensor> pre1;
        private readonly TorchSharp.Modules.ModuleList<Module<Tensor, Tensor>> edges;
        private readonly int[] from;

        public CellModule(Cell spec) : base("Cell")
        {
            pre0 = spec.Pre0.Build();
            pre1 = spec.Pre1.Build();
            edges = new TorchSharp.Modules.ModuleList<Module<Tensor, Tensor>>(spec.Edges.Select(e => e.Op.Build()).ToArray());
            from = spec.Edges.Select(e => e.From).ToArray();
            RegisterComponents();
        }

        public override Tensor forward(Tensor s0, Tensor s1)
        {
            using var scope = NewDisposeScope();
            var states = new List<Tensor> { pre0.call(s0), pre1.call(s1) };
            for (int e = 0; e < from.Length; e += 2)
                states.Add(edges[e].call(states[from[e]]) + edges[e + 1].call(states[from[e + 1]]));
            return cat(states.Skip(2).ToList(), 1).MoveToOuterDisposeScope();
        }
    }

    private sealed class CellNetworkModule : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> stem;
        private readonly TorchSharp.Modules.ModuleList<Module<Tensor, Tensor, Tensor>> cells;

        public CellNetworkModule(CellNetwork spec) : base("CellNetwork")
        {
            stem = spec.Stem.Build();
            cells = new TorchSharp.Modules.ModuleList<Module<Tensor, Tensor, Tensor>>(spec.Cells.Select(c => (Module<Tensor, Tensor, Tensor>)new CellModule(c)).ToArray());
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var s1 = stem.call(x);
            var s0 = s1;
            foreach (var cell in cells) (s0, s1) = (s1, cell.call(s0, s1));
            return s1.MoveToOuterDisposeScope();
        }
    }
}
