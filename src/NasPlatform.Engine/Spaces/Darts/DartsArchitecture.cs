using System.Text.Json.Serialization;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Tasks;

namespace NasPlatform.Engine.Spaces.Darts;

/// <summary>An edge of a genotype: a kept op (never "none") and the state it reads (0, 1: the cell's inputs; 2 on: earlier nodes).</summary>
public sealed record DartsEdge(string Op, int From);

/// <summary>Where the cells of a DARTS network sit: each cell's width and whether it reduces, plus the stem's width.</summary>
public sealed record DartsCellPlan(int Channels, bool Reduction, bool ReductionBefore, int InputChannels0, int InputChannels1);

/// <summary>
/// A DARTS genotype as plain data (Liu et al. 2019): the normal and the reduction cell, two edges per
/// intermediate node, plus the network it is stacked into (cells, initial channels) and the input, so
/// it rebuilds the same network anywhere. Stable JSON and hash like every architecture.
/// </summary>
public sealed record DartsArchitecture(
    string Space,
    int InputChannels,
    int InputHeight,
    int InputWidth,
    int NumClasses,
    int Cells,
    int Channels,
    IReadOnlyList<DartsEdge> Normal,
    IReadOnlyList<DartsEdge> Reduce) : IArchitecture
{
    /// <summary>Intermediate nodes per cell, as in the paper.</summary>
    public const int Nodes = 4;

    /// <summary>The stem's width is this multiple of the initial channels (DARTS: 3).</summary>
    public const int StemMultiplier = 3;

    public string ToJson(bool indented = false) => ArchitectureJson.Write(this, indented);

    [JsonIgnore]
    public string Hash => ArchitectureHash.Of(ToJson());

    public bool Equals(DartsArchitecture? other) => other is not null && ToJson() == other.ToJson();

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToJson());

    /// <summary>Cells at 1/3 and 2/3 of the depth reduce (DARTS's layers // 3 and 2 * layers // 3).</summary>
    public static bool IsReduction(int cell, int cells) => cell == cells / 3 || cell == 2 * cells / 3;

    /// <summary>The widths and reductions of a stack of <paramref name="cells"/> cells; the supernet and the discrete network share it.</summary>
    public static IReadOnlyList<DartsCellPlan> Plan(int cells, int channels)
    {
        var plans = new List<DartsCellPlan>();
        int c = channels, prevPrev = StemMultiplier * channels, prev = prevPrev;
        bool reductionBefore = false;
        for (int i = 0; i < cells; i++)
        {
            bool reduction = IsReduction(i, cells);
            if (reduction) c *= 2;
            plans.Add(new DartsCellPlan(c, reduction, reductionBefore, prevPrev, prev));
            (prevPrev, prev, reductionBefore) = (prev, Nodes * c, reduction);
        }
        return plans;
    }

    /// <summary>The stem: 3 x 3 conv and batch norm to <see cref="StemMultiplier"/> x channels (no ReLU: every cell op starts with one).</summary>
    public static IOp Stem(int inputChannels, int channels) => new ConvBn(inputChannels, StemMultiplier * channels, 3, Act: false);

    /// <summary>A cell's input preprocessing: after a reduction the older input is still at twice the resolution, so it is reduced too.</summary>
    public static (IOp Pre0, IOp Pre1) Preprocess(DartsCellPlan plan, bool affine = true) => (
        plan.ReductionBefore ? new FactorizedReduce(plan.InputChannels0, plan.Channels, affine) : new PreActConv(plan.InputChannels0, plan.Channels, 1, Affine: affine),
        new PreActConv(plan.InputChannels1, plan.Channels, 1, Affine: affine));

    public static DartsArchitecture FromJson(string json)
    {
        const string space = DartsSearchSpace.SpaceName;
        var arch = ArchitectureJson.Read<DartsArchitecture>(json, space);
        if (arch is not { Space: space, Normal: not null, Reduce: not null }) throw new FormatException($"Not an architecture of the {space} space.");
        static void Check(bool ok, string what) { if (!ok) throw new FormatException($"Invalid {space} architecture: {what}."); }
        Check(arch.InputChannels >= 1 && arch.InputHeight >= 8 && arch.InputWidth >= 8 && arch.NumClasses >= 2, "input or classes");
        Check(arch.Cells is >= DartsSearchSpace.MinCells and <= DartsSearchSpace.MaxCells && arch.Channels is >= 2 and <= DartsSearchSpace.MaxChannels && arch.Channels % 2 == 0,
            "cells or channels");
        foreach (var (name, cell) in new[] { ("normal", arch.Normal), ("reduce", arch.Reduce) })
        {
            Check(cell.Count == 2 * Nodes, $"the {name} cell has {cell.Count} edges, not {2 * Nodes}");
            for (int e = 0; e < cell.Count; e++)
            {
                Check(cell[e] is not null && CellOps.Kept.Contains(cell[e].Op), $"edge {e} of the {name} cell has op '{cell[e]?.Op}'");
                Check(cell[e].From >= 0 && cell[e].From < e / 2 + 2, $"edge {e} of the {name} cell reads state {cell[e].From}");
            }
        }
        return arch;
    }

    /// <summary>The stem and the stacked cells; the task adds pooling and the classifier.</summary>
    public ArchitectureGraph Graph()
    {
        var cells = Plan(Cells, Channels).Select(plan =>
        {
            var (pre0, pre1) = Preprocess(plan);
            var genes = plan.Reduction ? Reduce : Normal;
            var edges = genes.Select(g => new CellEdge(CellOps.Create(g.Op, plan.Channels, plan.Reduction && g.From < 2 ? 2 : 1)!, g.From)).ToList();
            return new Cell(pre0, pre1, edges);
        }).ToList();
        return new ArchitectureGraph(new FeatureShape(InputChannels, InputHeight, InputWidth),
            new CellNetwork(Stem(InputChannels, Channels), cells), new TaskOutput(NumClasses));
    }
}
