using System.Globalization;
using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Spaces.Darts;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks.Segmentation;

namespace NasPlatform.Engine.Spaces.AutoDeepLab;

/// <summary>
/// The space's settings. The paper searches L = 12 layers over 4 levels (1/4 to 1/32) with B = 5 blocks and F = 8 on
/// 321 x 321 crops; the defaults are sized for small images (64 x 64: levels 16, 8 and 4 pixels wide).
/// </summary>
public sealed record AutoDeepLabSpaceOptions
{
    public int Layers { get; init; } = 6;
    public int Levels { get; init; } = 3;
    public int Blocks { get; init; } = 3;
    public int Channels { get; init; } = 8;
    public int AsppChannels { get; init; } = 32;
}

/// <summary>
/// Auto-DeepLab's hierarchical space (Liu et al. 2019) for segmentation: the cell level (B blocks, each adding two of
/// its earlier states through one of DARTS's 7 non-zero ops) and the network level (per layer: one level down, stay,
/// or one level up, from level 0 after the stem). The Auto-DeepLab method searches both through one supernet; trial
/// strategies through the decisions (a move past the first or last level stays).
/// </summary>
public sealed class AutoDeepLabSearchSpace : ISearchSpace
{
    public const string SpaceName = "autodeeplab";

    /// <summary>The network-level moves, as a decision's choices: to the coarser level (down-sampling), the same, the finer one (up-sampling).</summary>
    public static readonly IReadOnlyList<string> Moves = ["down", "stay", "up"];

    public AutoDeepLabSearchSpace(SpaceInput input, AutoDeepLabSpaceOptions options)
    {
        var sizes = AutoDeepLabArchitecture.LevelSizes(input.Image.Height, input.Image.Width, options.Levels);
        if (sizes[^1].Height < 1 || Math.Min(input.Image.Height, input.Image.Width) < 8)
            throw new ArgumentException($"Images of {input.Image.Height}x{input.Image.Width} are too small for the {SpaceName} space (at least 8x8).");
        Input = input;
        Options = options;
        var decisions = new List<Decision>();
        for (int block = 0; block < options.Blocks; block++)
            for (int k = 0; k < 2; k++)
            {
                decisions.Add(new($"cell.block{block + 1}.edge{k + 1}.input", block + 2));
                decisions.Add(new($"cell.block{block + 1}.edge{k + 1}.op", CellOps.Kept.Count));
            }
        for (int layer = 1; layer <= options.Layers; layer++) decisions.Add(new($"path.layer{layer}", Moves.Count));
        Decisions = new DecisionSpace(decisions);
    }

    public string Name => SpaceName;

    public SpaceInput Input { get; }

    public AutoDeepLabSpaceOptions Options { get; }

    public DecisionSpace Decisions { get; }

    IArchitecture ISearchSpace.Decode(IReadOnlyList<int> choices) => Decode(choices);

    public AutoDeepLabArchitecture Decode(IReadOnlyList<int> choices)
    {
        Decisions.Validate(choices);
        int i = 0;
        var cell = new List<DartsEdge>();
        for (int e = 0; e < 2 * Options.Blocks; e++, i += 2) cell.Add(new DartsEdge(CellOps.Kept[choices[i + 1]], choices[i]));
        var path = new List<int>();
        for (int layer = 0, level = 0; layer < Options.Layers; layer++, i++)
        {
            level = Math.Clamp(level + 1 - choices[i], 0, Options.Levels - 1);
            path.Add(level);
        }
        return Architecture(cell, path);
    }

    /// <summary>The architecture of a cell and a path in this space's network.</summary>
    public AutoDeepLabArchitecture Architecture(IReadOnlyList<DartsEdge> cell, IReadOnlyList<int> path) =>
        new(SpaceName, Input.Image.Channels, Input.Image.Height, Input.Image.Width, Input.Output.Classes, Options.Levels, Options.Channels,
            Options.AsppChannels, cell, path);

    public IArchitecture Parse(string json) => AutoDeepLabArchitecture.FromJson(json);

    public ArchitectureGraph Graph(IArchitecture architecture) => ((AutoDeepLabArchitecture)architecture).Graph();

    public ArchitectureView Describe(IArchitecture architecture)
    {
        var a = (AutoDeepLabArchitecture)architecture;
        var inv = CultureInfo.InvariantCulture;
        var rows = new List<IReadOnlyList<string>>();
        for (int block = 0; block < a.Blocks; block++)
            rows.Add(["cell", $"block {block + 1}", Edge(a.Cell[2 * block]), Edge(a.Cell[2 * block + 1])]);
        var sizes = AutoDeepLabArchitecture.LevelSizes(a.InputHeight, a.InputWidth, a.Levels);
        for (int layer = 1; layer <= a.Path.Count; layer++)
        {
            int level = a.Path[layer - 1];
            rows.Add(["path", $"layer {layer}", Downsampling(level), string.Create(inv, $"{sizes[level].Height}x{sizes[level].Width}, {a.Blocks * AutoDeepLabArchitecture.Width(a.Channels, level)} channels")]);
        }
        var path = string.Join(" ", a.Path.Select(Downsampling));
        return new ArchitectureView(
            string.Create(inv, $"Input {a.InputChannels}x{a.InputHeight}x{a.InputWidth}, {a.NumClasses} classes; {a.Blocks}-block cell on {a.Path.Count} layers, path {path}; ASPP of {a.AsppChannels} channels."),
            ["Part", "Step", "Edge 1 / down-sampling", "Edge 2 / size"], rows, [Diagram(a.Cell)]);
    }

    /// <summary>A cell as a graph; also used for a supernet's current cell.</summary>
    public static CellDiagram Diagram(IReadOnlyList<DartsEdge> cell) =>
        new("cell", [StateName(0), StateName(1)], cell.Count / 2, cell.Select((e, i) => new DiagramEdge(e.From, 2 + i / 2, e.Op)).ToList());

    /// <summary>The down-sampling rate of a level: 1/4 at level 0, halving per level.</summary>
    public static string Downsampling(int level) => $"1/{4 << level}";

    private static string StateName(int state) => state switch { 0 => "h_{l-2}", 1 => "h_{l-1}", _ => $"block {state - 1}" };

    private static string Edge(DartsEdge e) => $"{e.Op} <- {StateName(e.From)}";
}

/// <summary>Registers the Auto-DeepLab space.</summary>
public sealed class AutoDeepLabDefinition : ISearchSpaceDefinition
{
    public string Name => AutoDeepLabSearchSpace.SpaceName;

    public string Description =>
        "Auto-DeepLab (segmentation): one cell of B blocks over DARTS's ops repeated along a searched network path of L layers over down-sampling levels 1/4, 1/8, ..., "
        + "then an ASPP head; 6 layers, 3 levels, 3 blocks, 8 channels by default (options layers, levels, blocks, channels, asppChannels).";

    public IReadOnlyList<string> Tasks { get; } = [SegmentationTask.TaskName];

    public ISearchSpace Create(SpaceInput input, JsonElement? options)
    {
        var o = ComponentOptions.Read<AutoDeepLabSpaceOptions>(options, $"the {Name} space");
        if (o.Layers is < 1 or > AutoDeepLabArchitecture.MaxLayers) throw new ArgumentException($"layers must be between 1 and {AutoDeepLabArchitecture.MaxLayers}.");
        if (o.Levels is < 1 or > AutoDeepLabArchitecture.MaxLevels) throw new ArgumentException($"levels must be between 1 and {AutoDeepLabArchitecture.MaxLevels}.");
        if (o.Blocks is < 1 or > AutoDeepLabArchitecture.MaxBlocks) throw new ArgumentException($"blocks must be between 1 and {AutoDeepLabArchitecture.MaxBlocks}.");
        if (o.Channels is < 2 or > AutoDeepLabArchitecture.MaxChannels) throw new ArgumentException($"channels must be between 2 and {AutoDeepLabArchitecture.MaxChannels}.");
        if (o.AsppChannels is < 2 or > 1024) throw new ArgumentException("asppChannels must be between 2 and 1024.");
        return new AutoDeepLabSearchSpace(input, o);
    }
}
