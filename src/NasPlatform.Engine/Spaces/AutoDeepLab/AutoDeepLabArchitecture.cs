using System.Text.Json.Serialization;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Ops.Dense;
using NasPlatform.Engine.Spaces.Darts;
using NasPlatform.Engine.Tasks;

namespace NasPlatform.Engine.Spaces.AutoDeepLab;

/// <summary>
/// An Auto-DeepLab network (Liu et al. 2019) as plain data: one cell (B blocks, two edges each, over the 8 DARTS ops;
/// states 0 and 1 are the outputs of the two layers before, 2 on the earlier blocks) repeated along a network path
/// (the level of each layer: 0 is the stem's 1/4 resolution, each level down halves it and doubles the width), then an
/// ASPP head at the last layer's level. The settings it was searched with (levels, width, ASPP width) are recorded.
/// </summary>
public sealed record AutoDeepLabArchitecture(
    string Space,
    int InputChannels,
    int InputHeight,
    int InputWidth,
    int NumClasses,
    int Levels,
    int Channels,
    int AsppChannels,
    IReadOnlyList<DartsEdge> Cell,
    IReadOnlyList<int> Path) : IArchitecture
{
    public const int MaxLevels = 4, MaxLayers = 16, MaxBlocks = 6, MaxChannels = 64;

    [JsonIgnore]
    public int Blocks => Cell.Count / 2;

    public string ToJson(bool indented = false) => ArchitectureJson.Write(this, indented);

    [JsonIgnore]
    public string Hash => ArchitectureHash.Of(ToJson());

    public bool Equals(AutoDeepLabArchitecture? other) => other is not null && ToJson() == other.ToJson();

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToJson());

    /// <summary>A block's width at a level: the base width doubles with each level down (a cell outputs B times it).</summary>
    public static int Width(int channels, int level) => channels << level;

    /// <summary>The stem's width: twice the base width, so level 0's cells read about as many channels as they make.</summary>
    public static int StemChannels(int channels) => 2 * channels;

    /// <summary>
    /// Auto-DeepLab's stem: three 3 x 3 convs, the first and the last with stride 2, to level 0 (1/4 resolution); the
    /// last without ReLU, as every cell op starts with one.
    /// </summary>
    public static IOp Stem(int inputChannels, int channels) => new Sequence([
        ("conv1", new ConvBn(inputChannels, channels, 3, 2)),
        ("conv2", new ConvBn(channels, channels, 3)),
        ("conv3", new ConvBn(channels, StemChannels(channels), 3, 2, Act: false)),
    ]);

    /// <summary>The feature size at each level for an input image: level 0 after the stem, each next level half (rounded up).</summary>
    public static IReadOnlyList<(int Height, int Width)> LevelSizes(int height, int width, int levels)
    {
        var sizes = new List<(int, int)>();
        int h = OpShapes.ConvOut(OpShapes.ConvOut(height, 3, 2), 3, 2), w = OpShapes.ConvOut(OpShapes.ConvOut(width, 3, 2), 3, 2);
        for (int s = 0; s < levels; s++, h = (h + 1) / 2, w = (w + 1) / 2) sizes.Add((h, w));
        return sizes;
    }

    /// <summary>
    /// A cell input brought from its level to the cell's: 1 x 1 pre-activated conv to the cell's width, after average pooling
    /// when it comes from a finer level, before bilinear up-sampling when it comes from a coarser one (the cheaper order).
    /// </summary>
    public static IOp Resample(int inputChannels, int from, int to, int channels, (int Height, int Width) target, bool affine = true)
    {
        var conv = new PreActConv(inputChannels, channels, 1, Affine: affine);
        if (to > from) return new Sequence([("pool", new AvgPool(1 << (to - from))), ("conv", conv)]);
        if (to < from) return new Sequence([("conv", conv), ("up", new Upsample(target.Height, target.Width))]);
        return conv;
    }

    /// <summary>The level and width of the state a layer reads <paramref name="back"/> layers before layer <paramref name="layer"/> (1-based; layers 0 and below are the stem).</summary>
    public (int Level, int Channels) Before(int layer, int back)
    {
        int l = layer - back;
        return l < 1 ? (0, StemChannels(Channels)) : (Path[l - 1], Blocks * Width(Channels, Path[l - 1]));
    }

    public static AutoDeepLabArchitecture FromJson(string json)
    {
        const string space = AutoDeepLabSearchSpace.SpaceName;
        var a = ArchitectureJson.Read<AutoDeepLabArchitecture>(json, space);
        if (a is not { Space: space, Cell: not null, Path: not null }) throw new FormatException($"Not an architecture of the {space} space.");
        static void Check(bool ok, string what) { if (!ok) throw new FormatException($"Invalid {space} architecture: {what}."); }
        Check(a.InputChannels >= 1 && a.InputHeight >= 8 && a.InputWidth >= 8 && a.NumClasses >= 2, "input or classes");
        Check(a.Levels is >= 1 and <= MaxLevels && a.Channels is >= 2 and <= MaxChannels && a.AsppChannels is >= 2 and <= 1024, "levels or widths");
        Check(a.Cell.Count is >= 2 and <= 2 * MaxBlocks && a.Cell.Count % 2 == 0, $"the cell has {a.Cell.Count} edges");
        for (int e = 0; e < a.Cell.Count; e++)
            Check(a.Cell[e] is { } edge && CellOps.Kept.Contains(edge.Op) && edge.From >= 0 && edge.From < e / 2 + 2, $"edge {e} of the cell");
        Check(a.Path.Count is >= 1 and <= MaxLayers, $"the path has {a.Path.Count} layers");
        for (int l = 0, previous = 0; l < a.Path.Count; previous = a.Path[l], l++)
            Check(a.Path[l] >= 0 && a.Path[l] < a.Levels && Math.Abs(a.Path[l] - previous) <= 1, $"layer {l + 1} of the path is at level {a.Path[l]}");
        return a;
    }

    /// <summary>The stem, the cells along the path and the ASPP head; the task adds the classifier and the up-sampling to the input.</summary>
    public ArchitectureGraph Graph()
    {
        var sizes = LevelSizes(InputHeight, InputWidth, Levels);
        var cells = new List<Cell>();
        for (int layer = 1; layer <= Path.Count; layer++)
        {
            int level = Path[layer - 1], width = Width(Channels, level);
            var (l0, c0) = Before(layer, 2);
            var (l1, c1) = Before(layer, 1);
            var edges = Cell.Select(g => new CellEdge(CellOps.Create(g.Op, width, 1)!, g.From)).ToList();
            cells.Add(new Cell(Resample(c0, l0, level, width, sizes[level]), Resample(c1, l1, level, width, sizes[level]), edges));
        }
        int last = Path[^1];
        var head = new Aspp(Blocks * Width(Channels, last), AsppChannels, Aspp.RatesFor(sizes[last].Height, sizes[last].Width));
        var backbone = new Sequence([("cells", new CellNetwork(Stem(InputChannels, Channels), cells)), ("aspp", head)]);
        return new ArchitectureGraph(new FeatureShape(InputChannels, InputHeight, InputWidth), backbone, new TaskOutput(NumClasses));
    }
}
