using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Spaces.Darts;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasPlatform.Engine.OneShot.Darts;

/// <summary>
/// Every candidate op of one edge, mixed by the edge's op weights (softmax of its alpha row):
/// sum_k w_k * op_k(x). The zero op adds nothing but keeps its share of the softmax. Pooling is
/// followed by a batch norm without learned scale, as in DARTS, so its output is on the convs' scale.
/// With partial channels K > 1 (PC-DARTS, Xu et al. 2020) only the first 1/K of the channels go
/// through the ops; the rest pass by (max-pooled on a reduction edge), and a channel shuffle makes the
/// next edge see other channels. The ops then cost about 1/K in time and memory.
/// </summary>
public sealed class MixedOp : Module<Tensor, Tensor, Tensor>
{
    private readonly TorchSharp.Modules.ModuleList<Module<Tensor, Tensor>> ops;
    private readonly int[] _columns;
    private readonly int _partial, _stride, _opChannels;

    public MixedOp(int channels, int stride, int partial = 1) : base("MixedOp")
    {
        if (partial < 1 || channels % partial != 0)
            throw new ArgumentException($"Partial channels {partial} must divide every cell's width ({channels} channels here).");
        (_partial, _stride, _opChannels) = (partial, stride, channels / partial);
        var built = new List<Module<Tensor, Tensor>>();
        var columns = new List<int>();
        for (int k = 0; k < CellOps.Names.Count; k++)
        {
            var name = CellOps.Names[k];
            if (CellOps.Create(name, _opChannels, stride, affine: false) is not { } op) continue;
            var module = op.Build();
            if (CellOps.IsPool(name)) module = Sequential(("pool", module), ("bn", new Ops.StableBatchNorm2d(_opChannels, affine: false)));
            built.Add(module);
            columns.Add(k);
        }
        ops = new TorchSharp.Modules.ModuleList<Module<Tensor, Tensor>>(built.ToArray());
        _columns = columns.ToArray();
        RegisterComponents();
    }

    /// <summary>The module of the op in column <paramref name="column"/> of alpha; null for the zero op.</summary>
    public Module<Tensor, Tensor>? OpAt(int column) => Array.IndexOf(_columns, column) is >= 0 and var i ? ops[i] : null;

    /// <param name="weights">The edge's weights over <see cref="CellOps.Names"/> (a row of softmax(alpha)).</param>
    public override Tensor forward(Tensor x, Tensor weights)
    {
        using var scope = NewDisposeScope();
        var input = _partial == 1 ? x : x.narrow(1, 0, _opChannels);
        Tensor? sum = null;
        for (int i = 0; i < _columns.Length; i++)
        {
            var term = weights[_columns[i]] * ops[i].call(input);
            sum = sum is null ? term : sum + term;
        }
        if (_partial == 1) return sum!.MoveToOuterDisposeScope();
        var rest = x.narrow(1, _opChannels, x.shape[1] - _opChannels);
        // Ceil mode: the ops' stride-2 outputs have ceil(n / 2) rows on odd sizes too.
        if (_stride == 2) rest = functional.max_pool2d(rest, 2, 2, ceil_mode: true);
        return Shuffle(cat([sum!, rest], 1), _partial).MoveToOuterDisposeScope();
    }

    /// <summary>ShuffleNet's channel shuffle: K groups of channels interleaved.</summary>
    private static Tensor Shuffle(Tensor x, int groups)
    {
        var (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        return x.view(n, groups, c / groups, h, w).transpose(1, 2).contiguous().view(n, c, h, w);
    }
}

/// <summary>
/// A cell of a supernet: its two inputs preprocessed to the cell's width, then nodes that each sum a <see cref="MixedOp"/>
/// over every earlier state (edges node by node: 2, 3, 4, ... of them); the output concatenates the nodes. DARTS's cells
/// and Auto-DeepLab's share it; on a reduction cell the edges from the two inputs have stride 2.
/// </summary>
public sealed class SuperCell : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> pre0;
    private readonly Module<Tensor, Tensor> pre1;
    private readonly TorchSharp.Modules.ModuleList<MixedOp> edges;
    private readonly int _nodes;

    public SuperCell(DartsCellPlan plan, int partial = 1)
        : this(DartsArchitecture.Preprocess(plan, affine: false), DartsArchitecture.Nodes, plan.Channels, plan.Reduction, partial)
    {
    }

    public SuperCell((Ops.IOp Pre0, Ops.IOp Pre1) preprocess, int nodes, int channels, bool reduction = false, int partial = 1) : base("SuperCell")
    {
        pre0 = preprocess.Pre0.Build();
        pre1 = preprocess.Pre1.Build();
        _nodes = nodes;
        var mixed = new List<MixedOp>();
        for (int node = 0; node < nodes; node++)
            for (int from = 0; from < node + 2; from++)
                mixed.Add(new MixedOp(channels, reduction && from < 2 ? 2 : 1, partial));
        edges = new TorchSharp.Modules.ModuleList<MixedOp>(mixed.ToArray());
        RegisterComponents();
    }

    /// <summary>Edges of a cell of <paramref name="nodes"/> nodes: node i has i + 2 incoming edges.</summary>
    public static int EdgeCount(int nodes) => Enumerable.Range(0, nodes).Sum(i => i + 2);

    /// <param name="weights">Edges x ops: softmax(alpha) of this cell's type (times the edge's weight under edge normalization).</param>
    public override Tensor forward(Tensor s0, Tensor s1, Tensor weights)
    {
        using var scope = NewDisposeScope();
        var states = new List<Tensor> { pre0.call(s0), pre1.call(s1) };
        int edge = 0;
        for (int node = 0; node < _nodes; node++)
        {
            Tensor? sum = null;
            for (int from = 0; from < states.Count; from++, edge++)
            {
                var y = edges[edge].call(states[from], weights[edge]);
                sum = sum is null ? y : sum + y;
            }
            states.Add(sum!);
        }
        return cat(states.Skip(2).ToList(), 1).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// DARTS's supernet: the stem, a stack of <see cref="SuperCell"/>s laid out as the discrete network
/// will be, global pooling and a linear classifier. Its parameters are the weights w only; the
/// architecture parameters alpha are held by the search and passed in as op weights.
/// </summary>
public sealed class DartsSupernet : Module<Tensor, Tensor, Tensor, Tensor>
{
    /// <summary>Edges of a cell: node i has i + 2 incoming edges (14 for 4 nodes).</summary>
    public static int Edges => SuperCell.EdgeCount(DartsArchitecture.Nodes);

    private readonly Module<Tensor, Tensor> stem;
    private readonly TorchSharp.Modules.ModuleList<SuperCell> cells;
    private readonly TorchSharp.Modules.Linear classifier;
    private readonly bool[] _reduction;

    public DartsSupernet(int inputChannels, int cells, int channels, int classes, int partial = 1) : base("DartsSupernet")
    {
        // Both alphas must reach the loss: autograd aborts the process on an unused input.
        if (cells < DartsSearchSpace.MinCells) throw new ArgumentException($"A DARTS supernet needs at least {DartsSearchSpace.MinCells} cells (a normal one besides the two reductions).");
        var plans = DartsArchitecture.Plan(cells, channels);
        stem = DartsArchitecture.Stem(inputChannels, channels).Build();
        this.cells = new TorchSharp.Modules.ModuleList<SuperCell>(plans.Select(p => new SuperCell(p, partial)).ToArray());
        classifier = Linear(DartsArchitecture.Nodes * plans[^1].Channels, classes);
        _reduction = plans.Select(p => p.Reduction).ToArray();
        RegisterComponents();
    }

    /// <summary>Logits for <paramref name="x"/> with the op weights of the normal and the reduction cells (edges x ops each).</summary>
    public override Tensor forward(Tensor x, Tensor normalWeights, Tensor reduceWeights)
    {
        using var scope = NewDisposeScope();
        var s1 = stem.call(x);
        var s0 = s1;
        for (int i = 0; i < cells.Count; i++) (s0, s1) = (s1, cells[i].call(s0, s1, _reduction[i] ? reduceWeights : normalWeights));
        return classifier.call(s1.mean([2, 3])).MoveToOuterDisposeScope();
    }
}
