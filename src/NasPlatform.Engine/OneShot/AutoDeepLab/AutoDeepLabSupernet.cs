using NasPlatform.Engine.OneShot.Darts;
using NasPlatform.Engine.Ops.Dense;
using NasPlatform.Engine.Spaces.AutoDeepLab;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasPlatform.Engine.OneShot.AutoDeepLab;

/// <summary>
/// Auto-DeepLab's supernet (Liu et al. 2019): every node (layer l, level s) of the trellis the network can reach from the
/// stem holds H(l, s) = sum over the levels s' next to s of beta(l - 1, s' -> s) * Cell(H(l - 2, s), H(l - 1, s'); alpha), one
/// <see cref="SuperCell"/> per incoming move, all with the one shared alpha. beta is normalized over each node's outgoing
/// moves (down, stay, up), so a path's weight is a Markov chain's probability and Viterbi decodes the best. Every level of
/// the last layer gets an ASPP head and a classifier; their scores, up-sampled to the input, are summed.
/// Its parameters are the weights only; alpha and beta are held by the search and passed in.
/// </summary>
public sealed class AutoDeepLabSupernet : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> stem;
    private readonly TorchSharp.Modules.ModuleList<SuperCell> cells;
    private readonly TorchSharp.Modules.ModuleList<Module<Tensor, Tensor>> heads;
    private readonly (int Layer, int Level, int From, int Before)[] _cells;
    private readonly int _layers;

    public AutoDeepLabSupernet(int inputChannels, int height, int width, int classes, AutoDeepLabSpaceOptions o) : base("AutoDeepLabSupernet")
    {
        Options = o;
        _layers = o.Layers;
        var sizes = AutoDeepLabArchitecture.LevelSizes(height, width, o.Levels);
        int Channels(int layer, int level) => layer < 1 ? AutoDeepLabArchitecture.StemChannels(o.Channels) : o.Blocks * AutoDeepLabArchitecture.Width(o.Channels, level);
        stem = AutoDeepLabArchitecture.Stem(inputChannels, o.Channels).Build();
        var built = new List<SuperCell>();
        var at = new List<(int, int, int, int)>();
        for (int layer = 1; layer <= o.Layers; layer++)
            for (int level = 0; level <= Deepest(layer, o.Levels); level++)
                for (int from = level - 1; from <= level + 1; from++)
                {
                    if (from < 0 || from > Deepest(layer - 1, o.Levels)) continue;
                    // H(l - 2, s) when the trellis reaches it; else the deepest level it reaches there.
                    int before = Math.Min(level, Deepest(Math.Max(layer - 2, 0), o.Levels));
                    int w = AutoDeepLabArchitecture.Width(o.Channels, level);
                    var pre0 = AutoDeepLabArchitecture.Resample(Channels(layer - 2, before), before, level, w, sizes[level], affine: false);
                    var pre1 = AutoDeepLabArchitecture.Resample(Channels(layer - 1, from), from, level, w, sizes[level], affine: false);
                    built.Add(new SuperCell((pre0, pre1), o.Blocks, w));
                    at.Add((layer, level, from, before));
                }
        cells = new TorchSharp.Modules.ModuleList<SuperCell>(built.ToArray());
        _cells = at.ToArray();
        heads = new TorchSharp.Modules.ModuleList<Module<Tensor, Tensor>>(Enumerable.Range(0, Deepest(o.Layers, o.Levels) + 1).Select(level =>
        {
            var aspp = new Aspp(Channels(o.Layers, level), o.AsppChannels, Aspp.RatesFor(sizes[level].Height, sizes[level].Width));
            return (Module<Tensor, Tensor>)Sequential(("aspp", aspp.Build()), ("classifier", Conv2d(o.AsppChannels, classes, 1)));
        }).ToArray());
        RegisterComponents();
    }

    public AutoDeepLabSpaceOptions Options { get; }

    /// <summary>The deepest level the trellis reaches at a layer (the stem, layer 0, is at level 0; each layer goes at most one down).</summary>
    public static int Deepest(int layer, int levels) => Math.Min(layer, levels - 1);

    /// <summary>The move from level <paramref name="from"/> to level <paramref name="to"/>: 0 down (to the coarser), 1 stay, 2 up.</summary>
    public static int Move(int from, int to) => 1 + from - to;

    /// <summary>softmax of beta (layers x levels x 3) over each node's moves that stay within the levels.</summary>
    public static Tensor MoveWeights(Tensor beta)
    {
        int levels = (int)beta.shape[1];
        var invalid = zeros([1, levels, 3], ScalarType.Bool, beta.device);
        invalid[0, levels - 1, 0] = true;
        invalid[0, 0, 2] = true;
        if (levels == 1) invalid[0, 0, 0] = true;
        return functional.softmax(beta.masked_fill(invalid, double.NegativeInfinity), -1);
    }

    /// <summary>The network path beta (layers x levels x moves) decodes: Viterbi over the weight of arriving at a level, which is the outgoing
    /// weight of the move that gets there.</summary>
    public static (int[] Levels, double LogWeight) DecodePath(Tensor beta)
    {
        using var scope = NewDisposeScope();
        var moves = MoveWeights(beta.detach()).cpu().to_type(ScalarType.Float64);
        int layers = (int)moves.shape[0], levels = (int)moves.shape[1];
        var m = moves.data<double>().ToArray();
        double Out(int layer, int level, int move) => level < 0 || level >= levels ? 0 : m[(layer * levels + level) * 3 + move];
        var into = new double[layers][][];
        for (int l = 0; l < layers; l++)
        {
            into[l] = new double[levels][];
            for (int s = 0; s < levels; s++)
                into[l][s] = [Out(l, s - 1, Move(s - 1, s)), Out(l, s, 1), Out(l, s + 1, Move(s + 1, s))];
        }
        return TrellisPath.Decode(into);
    }

    /// <param name="opWeights">Edges x ops of the shared cell (softmax of alpha).</param>
    /// <param name="moveWeights">Layers x levels x moves (see <see cref="MoveWeights"/>).</param>
    public override Tensor forward(Tensor x, Tensor opWeights, Tensor moveWeights)
    {
        using var scope = NewDisposeScope();
        var s = stem.call(x);
        var before = new Dictionary<int, Tensor> { [0] = s };
        var previous = before;
        int i = 0;
        for (int layer = 1; layer <= _layers; layer++)
        {
            var current = new Dictionary<int, Tensor>();
            for (; i < _cells.Length && _cells[i].Layer == layer; i++)
            {
                var (_, level, from, back) = _cells[i];
                var y = moveWeights[layer - 1, from, Move(from, level)] * cells[i].call(before[back], previous[from], opWeights);
                current[level] = current.TryGetValue(level, out var sum) ? sum + y : y;
            }
            (before, previous) = (previous, current);
        }
        Tensor? scores = null;
        foreach (var (level, h) in previous)
        {
            var up = functional.interpolate(heads[level].call(h), [x.shape[2], x.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
            scores = scores is null ? up : scores + up;
        }
        return scores!.MoveToOuterDisposeScope();
    }
}
