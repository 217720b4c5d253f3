using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasPlatform.Engine.Ops.Detection;

/// <summary>The binary ops a merging cell may apply (NAS-FPN, Ghiasi et al. 2019).</summary>
public static class MergeOps
{
    /// <summary>Element-wise sum; global-pooling attention: the coarser input plus the finer one gated by sigmoid(global max of the coarser).</summary>
    public const string Sum = "sum", Attention = "attention";

    public static readonly IReadOnlyList<string> All = [Sum, Attention];

    /// <summary>A merging cell's combination before its convolution: both inputs resampled to <paramref name="level"/> (of
    /// <paramref name="size"/> = H, W), then summed or joined by global-pooling attention (NAS-FPN's reference: the input of the higher
    /// level, or the first on a tie, gates the other with sigmoid of its global max).</summary>
    public static Tensor Apply(string op, Tensor a, int levelA, Tensor b, int levelB, int level, long[] size)
    {
        var ra = Resample(a, levelA, level, size);
        var rb = Resample(b, levelB, level, size);
        if (op == Sum) return ra + rb;
        if (op != Attention) throw new ArgumentException($"Unknown merging op '{op}'.", nameof(op));
        var (coarse, fine) = levelA >= levelB ? (ra, rb) : (rb, ra);
        using var gate = coarse.amax([2, 3], keepdim: true).sigmoid();
        return coarse + fine * gate;
    }

    /// <summary>Max pooling (window = stride, ceil mode) to a coarser level, nearest up-sampling to the exact size of a finer one.</summary>
    public static Tensor Resample(Tensor x, int from, int to, long[] size) =>
        from < to ? functional.max_pool2d(x, 1 << (to - from), 1 << (to - from), ceil_mode: true)
        : from > to ? functional.interpolate(x, size, mode: InterpolationMode.Nearest)
        : x.alias();
}

/// <summary>
/// A NAS-FPN merging cell: two feature maps picked from the pool (the pyramid's input levels, then every earlier cell's output),
/// each resampled to the cell's output level (max pooling down, nearest up-sampling), combined by <see cref="Op"/>, then ReLU,
/// 3 x 3 convolution and batch norm; the result joins the pool.
/// </summary>
public sealed record MergingCell(int Input0, int Input1, int Level, string Op);

/// <summary>
/// The static wiring of a pyramid: the level of every pool node (inputs MinLevel..MaxLevel, then each cell's output), which cells
/// produce the outputs (the last <c>levels</c> cells, from the coarsest level down, as NAS-FPN fixes its last cells' levels),
/// and which otherwise unused nodes each output cell sums in (NAS-FPN adds nodes nothing reads to the output of their level).
/// </summary>
public sealed class PyramidPlan
{
    public PyramidPlan(int minLevel, int maxLevel, IReadOnlyList<MergingCell> cells)
    {
        MinLevel = minLevel;
        MaxLevel = maxLevel;
        Cells = cells;
        int levels = maxLevel - minLevel + 1;
        if (cells.Count < levels) throw new ArgumentException($"A pyramid of {levels} levels needs at least {levels} merging cells (one per output).");
        var nodeLevels = Enumerable.Range(minLevel, levels).ToList();
        var used = new List<int>(new int[levels]);
        var extras = new List<IReadOnlyList<int>>();
        for (int j = 0; j < cells.Count; j++)
        {
            var c = cells[j];
            int pool = levels + j;
            if (c.Input0 < 0 || c.Input0 >= pool || c.Input1 < 0 || c.Input1 >= pool)
                throw new ArgumentException($"Merging cell {j + 1} reads node {Math.Max(c.Input0, c.Input1)}, but only {pool} exist before it.");
            if (c.Level < minLevel || c.Level > maxLevel) throw new ArgumentException($"Merging cell {j + 1} outputs level {c.Level}, outside {minLevel}-{maxLevel}.");
            if (!MergeOps.All.Contains(c.Op)) throw new ArgumentException($"Merging cell {j + 1} has op '{c.Op}'; the ops are {string.Join(", ", MergeOps.All)}.");
            int outputIndex = j - (cells.Count - levels);
            if (outputIndex >= 0 && c.Level != maxLevel - outputIndex)
                throw new ArgumentException($"Merging cell {j + 1} is an output cell and must output level {maxLevel - outputIndex}.");
            used[c.Input0]++;
            used[c.Input1]++;
            var add = new List<int>();
            if (outputIndex >= 0)
                for (int k = 0; k < pool; k++)
                    if (used[k] == 0 && nodeLevels[k] == c.Level) { add.Add(k); used[k]++; }
            extras.Add(add);
            nodeLevels.Add(c.Level);
            used.Add(0);
        }
        NodeLevels = nodeLevels;
        Extras = extras;
    }

    public int MinLevel { get; }
    public int MaxLevel { get; }
    public int Levels => MaxLevel - MinLevel + 1;
    public IReadOnlyList<MergingCell> Cells { get; }
    public IReadOnlyList<int> NodeLevels { get; }

    /// <summary>Per cell, the unused nodes of its level it sums in before its convolution (only output cells have any).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Extras { get; }

    /// <summary>The pool node holding output level <paramref name="level"/>.</summary>
    public int OutputNode(int level) => Cells.Count + (MaxLevel - level);
}
