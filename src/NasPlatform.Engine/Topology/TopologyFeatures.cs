using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Spaces;

namespace NasPlatform.Engine.Topology;

/// <summary>One topology feature: its name and what it measures.</summary>
public sealed record TopologyFeature(string Name, string Description);

/// <summary>
/// What a network's topology looks like, as a fixed vector of numbers of similar scale (mostly in [0, 1]),
/// read from its op tree alone, so any space's architectures (and the zoo's hand-designed networks) are
/// comparable: IRLAS's state features. A network is read as a sequence of units (the top-level ops of its
/// backbone; inside a stack of cells the stem's ops and each cell), and its convolutions.
/// </summary>
public static class TopologyFeatures
{
    public static IReadOnlyList<TopologyFeature> All { get; } =
    [
        new("depth", "convolutions on the longest path from input to features, / 50"),
        new("units", "units (blocks, cells, stand-alone layers), / 30"),
        new("residual", "share of units that merge their branches by addition (residual blocks, cell nodes)"),
        new("concat", "share of units that merge their branches by concatenation (shuffle units, cells)"),
        new("branching", "mean parallel branches per unit minus one, / 4 (a plain layer 0, a residual block 0.25, a 4-node cell 0.75)"),
        new("widthStart", "log2 of the first unit's output channels, / 10"),
        new("widthEnd", "log2 of the features' channels, / 10"),
        new("widthGrowth", "log2 of the channel growth from the first unit to the last, / 6"),
        new("downsamples", "strided or pooling reductions of the resolution on the main path, / 6"),
        new("depthwise", "share of convolutions that are depthwise"),
        new("pointwise", "share of convolutions that are 1 x 1"),
        new("largeKernels", "share of spatial convolutions with a kernel (or dilated reach) of 5 or more"),
        new("squeezeExcite", "share of units with squeeze-and-excitation"),
        new("pooling", "share of units that are or contain a pooling op"),
        new("depthwiseEarly", "share of depthwise convolutions in the first half of the units"),
        new("depthwiseLate", "share of depthwise convolutions in the second half of the units"),
        new("computeEarly", "share of the multiply-adds spent in the first half of the units"),
        new("identityPaths", "share of units with a parameter-free path (identity shortcut, skip edge)"),
    ];

    public static int Count => All.Count;

    public static double[] Of(ArchitectureGraph graph)
    {
        var units = Units(graph.Backbone, graph.Input);
        if (units.Count == 0) throw new ArgumentException("A network without ops has no topology.");
        int half = (units.Count + 1) / 2;
        var convs = units.SelectMany(u => u.Convs).ToList();
        var spatial = convs.Where(c => c.Reach > 1).ToList();
        double Share<T>(IReadOnlyCollection<T> items, Func<T, bool> which) => items.Count == 0 ? 0 : items.Count(which) / (double)items.Count;
        double DepthwiseShare(IEnumerable<Unit> part) => Share(part.SelectMany(u => u.Convs).ToList(), c => c.Depthwise);
        long macs = Math.Max(1, units.Sum(u => u.MultiplyAdds));
        double startWidth = Math.Log2(Math.Max(1, units[0].OutChannels)), endWidth = Math.Log2(Math.Max(1, graph.Features.Channels));
        return
        [
            units.Sum(u => u.Depth) / 50.0,
            units.Count / 30.0,
            Share(units, u => u.Add),
            Share(units, u => u.Concat),
            units.Average(u => u.Branches - 1) / 4.0,
            startWidth / 10,
            endWidth / 10,
            Math.Clamp((endWidth - startWidth) / 6, -1, 1),
            units.Count(u => u.Reduces) / 6.0,
            Share(convs, c => c.Depthwise),
            Share(convs, c => c.Reach == 1),
            Share(spatial, c => c.Reach >= 5),
            Share(units, u => u.SqueezeExcite),
            Share(units, u => u.Pooling),
            DepthwiseShare(units.Take(half)),
            DepthwiseShare(units.Skip(half)),
            units.Take(half).Sum(u => u.MultiplyAdds) / (double)macs,
            Share(units, u => u.IdentityPath),
        ];
    }

    private sealed record Conv(int Reach, bool Depthwise);

    /// <summary>A unit: its convolutions, the convolutions on its longest path, how its branches merge.</summary>
    private sealed class Unit
    {
        public List<Conv> Convs { get; } = [];
        public int Depth { get; set; }
        public int Branches { get; set; } = 1;
        public bool Add { get; set; }
        public bool Concat { get; set; }
        public bool SqueezeExcite { get; set; }
        public bool Pooling { get; set; }
        public bool IdentityPath { get; set; }
        public bool Reduces { get; set; }
        public int OutChannels { get; set; }
        public long MultiplyAdds { get; set; }
    }

    private static List<Unit> Units(IOp backbone, FeatureShape input)
    {
        var units = new List<Unit>();
        void Top(IOp op, ref FeatureShape shape)
        {
            if (op is Sequence sequence)
            {
                foreach (var (_, inner) in sequence.Ops) Top(inner, ref shape);
                return;
            }
            if (op is CellNetwork network)
            {
                Top(network.Stem, ref shape);
                var (s0, s1) = (shape, shape);
                foreach (var cell in network.Cells)
                {
                    var unit = new Unit { Branches = cell.Nodes, Add = true, Concat = true };
                    var output = cell.Output(s0, s1);
                    unit.Depth = CellDepth(cell, s0, s1, unit);
                    unit.OutChannels = output.Channels;
                    unit.MultiplyAdds = cell.Cost(s0, s1).MultiplyAdds;
                    unit.Reduces = output.Height < s1.Height;
                    units.Add(unit);
                    (s0, s1) = (s1, output);
                }
                shape = s1;
                return;
            }
            var u = new Unit();
            u.Depth = Walk(op, shape, u);
            var next = op.Output(shape);
            u.OutChannels = next.Channels;
            u.MultiplyAdds = op.Cost(shape).MultiplyAdds;
            u.Reduces = next.Height < shape.Height;
            units.Add(u);
            shape = next;
        }
        Top(backbone, ref input);
        return units;
    }

    /// <summary>Longest path in convolutions through a cell: each node is one deeper than the deeper of its two edges' sources.</summary>
    private static int CellDepth(Cell cell, FeatureShape s0, FeatureShape s1, Unit unit)
    {
        var shapes = cell.States(s0, s1);
        var depth = new List<int> { Walk(cell.Pre0, s0, unit), Walk(cell.Pre1, s1, unit) };
        for (int node = 0; node < cell.Nodes; node++)
        {
            int deepest = 0;
            foreach (var edge in cell.Edges.Skip(2 * node).Take(2))
                deepest = Math.Max(deepest, depth[edge.From] + Walk(edge.Op, shapes[edge.From], unit));
            depth.Add(deepest);
        }
        return depth.Skip(2).Max();
    }

    /// <summary>Records an op's convolutions and features on <paramref name="unit"/>; returns the convolutions on its longest path.</summary>
    private static int Walk(IOp op, FeatureShape shape, Unit unit)
    {
        switch (op)
        {
            case ConvBn c:
                unit.Convs.Add(new Conv(c.Kernel, c.Groups > 1 && c.Groups == c.In));
                return 1;
            case PreActConv p:
                unit.Convs.Add(new Conv(p.Dilation * (p.Kernel - 1) + 1, p.Groups > 1 && p.Groups == p.In));
                return 1;
            case FactorizedReduce:
                unit.Convs.Add(new Conv(1, false));
                return 1;
            case Sequence s:
            {
                int depth = 0;
                foreach (var (_, inner) in s.Ops)
                {
                    depth += Walk(inner, shape, unit);
                    shape = inner.Output(shape);
                }
                return depth;
            }
            case ResidualBlock b:
            {
                int body = Walk(b.Body, shape, unit);
                var inner = b.Body.Output(shape);
                if (b.Se is not null) unit.SqueezeExcite = true;
                if (b.Project is not null) body += Walk(b.Project, inner, unit);
                if (!b.Residual) return body;
                unit.Add = true;
                unit.Branches = Math.Max(unit.Branches, 2);
                if (b.Shortcut is null || b.Shortcut is Identity) unit.IdentityPath = true;
                return Math.Max(body, b.Shortcut is null ? 0 : Walk(b.Shortcut, shape, unit));
            }
            case ShuffleUnit s:
            {
                unit.Concat = true;
                unit.Branches = Math.Max(unit.Branches, 2);
                // The basic unit's untouched half is a parameter-free path, as a residual's identity is.
                if (s.Left is null) unit.IdentityPath = true;
                int right = Walk(s.Right, shape, unit);
                return Math.Max(right, s.Left is null ? 0 : Walk(s.Left, shape, unit));
            }
            case SqueezeExcite:
                unit.SqueezeExcite = true;
                return 0;
            case AvgPool or MaxPool or Pool3:
                unit.Pooling = true;
                return 0;
            case Identity:
                unit.IdentityPath = true;
                return 0;
            default:
                return 0;
        }
    }
}
