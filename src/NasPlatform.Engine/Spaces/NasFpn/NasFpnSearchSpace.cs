using System.Globalization;
using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Ops.Detection;
using NasPlatform.Engine.Spaces.ResNet;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks.Detection;

namespace NasPlatform.Engine.Spaces.NasFpn;

/// <summary>The space's options: the pyramid's width, the subnets' depth, free cells before the outputs, and the backbone's width.</summary>
public sealed record NasFpnSpaceOptions
{
    /// <summary>Feature channels of every pyramid level (paper 256).</summary>
    public int Channels { get; init; } = 32;

    /// <summary>3 x 3 conv-ReLU layers in each of the class and box subnets (paper 4).</summary>
    public int HeadDepth { get; init; } = 2;

    /// <summary>Merging cells whose output level is searched, before the one output cell per level (paper 7 cells for 5 levels: 2 free).</summary>
    public int FreeCells { get; init; } = 2;

    /// <summary>Scale on the backbone's widths (16, 32, 64, 128, 128 per stage).</summary>
    public double BackboneWidth { get; init; } = 1.0;
}

/// <summary>
/// NAS-FPN (Ghiasi et al. 2019) on a RetinaNet: the search picks, for each merging cell, its two inputs among the pool, its op
/// (sum or global-pooling attention) and, for the free cells, its output level; the last cells output the pyramid's levels,
/// coarsest first. The backbone is fixed for a search: a ResNet of basic blocks from the resnet space, one stride-2 stage per
/// level below the pyramid's top (levels past it are max-pooled, as NAS-FPN makes P6 and P7). Levels follow the images'
/// size (<see cref="AnchorLayout.For"/>): P2-P5 on 64 px, P3-P7 from 256 px.
/// </summary>
public sealed class NasFpnSearchSpace : ISearchSpace
{
    public const string SpaceName = "nasfpn";

    private readonly SpaceInput _input;
    private readonly NasFpnSpaceOptions _options;
    private readonly AnchorLayout _layout;

    public NasFpnSearchSpace(SpaceInput input, NasFpnSpaceOptions options)
    {
        _input = input;
        _options = options;
        _layout = AnchorLayout.For(input.Image.Height, input.Image.Width);
        var decisions = new List<Decision>();
        int levels = _layout.Levels;
        for (int j = 0; j < options.FreeCells + levels; j++)
        {
            int pool = levels + j;
            string name = j < options.FreeCells ? $"cell{j + 1}" : $"out{_layout.MaxLevel - (j - options.FreeCells)}";
            decisions.Add(new($"{name}.input0", pool));
            decisions.Add(new($"{name}.input1", pool));
            if (j < options.FreeCells) decisions.Add(new($"{name}.level", levels));
            decisions.Add(new($"{name}.op", MergeOps.All.Count));
        }
        Decisions = new DecisionSpace(decisions);
    }

    public string Name => SpaceName;

    public DecisionSpace Decisions { get; }

    public IArchitecture Decode(IReadOnlyList<int> choices)
    {
        Decisions.Validate(choices);
        var cells = new List<MergingCell>();
        int i = 0;
        for (int j = 0; j < _options.FreeCells + _layout.Levels; j++)
        {
            int input0 = choices[i++], input1 = choices[i++];
            int level = j < _options.FreeCells ? _layout.MinLevel + choices[i++] : _layout.MaxLevel - (j - _options.FreeCells);
            cells.Add(new MergingCell(input0, input1, level, MergeOps.All[choices[i++]]));
        }
        return Build(cells);
    }

    /// <summary>An architecture of this space with the given cells (the FPN baseline's, or a decoded one).</summary>
    public NasFpnArchitecture Build(IReadOnlyList<MergingCell> cells, int? channels = null) =>
        new(SpaceName, _input.Image.Channels, _input.Image.Height, _input.Image.Width, _input.Output.Classes,
            DetectionBackbone(_input, _layout, _options.BackboneWidth), _layout.MinLevel, _layout.MaxLevel, channels ?? _options.Channels, _options.HeadDepth, cells);

    /// <summary>The hand-made FPN (Lin et al. 2017) as merging cells: top-down, each level the sum of its lateral and the coarser output.</summary>
    public NasFpnArchitecture Fpn(int channels)
    {
        int levels = _layout.Levels;
        var cells = new List<MergingCell> { new(levels - 1, levels - 1, _layout.MaxLevel, MergeOps.Sum) };
        for (int k = 1; k < levels; k++) cells.Add(new MergingCell(levels - 1 - k, levels + k - 1, _layout.MaxLevel - k, MergeOps.Sum));
        return Build(cells, channels);
    }

    /// <summary>Basic-block stages, each halving the size, up to the level below the pyramid's top (at least its bottom).</summary>
    public static ResNetArchitecture DetectionBackbone(SpaceInput input, AnchorLayout layout, double width)
    {
        int stages = Math.Max(layout.MinLevel, layout.MaxLevel - 1);
        int[] reference = [16, 32, 64, 128, 128, 128];
        var list = Enumerable.Range(0, stages).Select(s => new ResNetStage(ResNetArchitecture.Basic,
            Math.Max(8, (int)Math.Round(reference[Math.Min(s, reference.Length - 1)] * width / 4) * 4), 1, 0, ResNetArchitecture.StridedConv)).ToList();
        return new ResNetArchitecture(ResNetSearchSpace.SpaceName, input.Image.Channels, input.Image.Height, input.Image.Width, input.Output.Classes,
            ResNetArchitecture.ConvStem, Math.Max(8, (int)Math.Round(16 * width / 4) * 4), list);
    }

    public IArchitecture Parse(string json) => NasFpnArchitecture.FromJson(json);

    public ArchitectureGraph Graph(IArchitecture architecture) => ((NasFpnArchitecture)architecture).Graph();

    public ArchitectureView Describe(IArchitecture architecture)
    {
        var a = (NasFpnArchitecture)architecture;
        var plan = a.Plan;
        var inv = CultureInfo.InvariantCulture;
        string Node(int k) => k < plan.Levels ? $"C{plan.MinLevel + k}" : $"cell {k - plan.Levels + 1} (P{plan.NodeLevels[k]})";
        var rows = a.Cells.Select((c, j) => (IReadOnlyList<string>)
        [
            (j + 1).ToString(inv), Node(c.Input0), Node(c.Input1), c.Op, $"P{c.Level}",
            j >= a.Cells.Count - plan.Levels ? "output" : "", string.Join(", ", plan.Extras[j].Select(Node)),
        ]).ToList();
        return new ArchitectureView(
            string.Create(inv, $"Input {a.InputChannels}x{a.InputHeight}x{a.InputWidth}, {a.NumClasses} classes; backbone of {a.Backbone.Stages.Count} basic-block stages; "
                + $"pyramid P{a.MinLevel}-P{a.MaxLevel} of {a.Channels} channels from {a.Cells.Count} merging cells; class and box subnets of depth {a.HeadDepth}."),
            ["Cell", "Input 0", "Input 1", "Op", "Output", "Role", "Also sums"], rows, [Diagram(a, plan)]);
    }

    /// <summary>The pyramid as a graph: the backbone's levels, then each merging cell fed by its two inputs (labelled with its op) and any
    /// unused nodes it sums in; the output cells form the pyramid.</summary>
    private static CellDiagram Diagram(NasFpnArchitecture a, PyramidPlan plan)
    {
        var edges = new List<DiagramEdge>();
        for (int j = 0; j < a.Cells.Count; j++)
        {
            int node = plan.Levels + j;
            edges.Add(new DiagramEdge(a.Cells[j].Input0, node, a.Cells[j].Op));
            edges.Add(new DiagramEdge(a.Cells[j].Input1, node, a.Cells[j].Op));
            edges.AddRange(plan.Extras[j].Select(k => new DiagramEdge(k, node, "+")));
        }
        var inputs = Enumerable.Range(plan.MinLevel, plan.Levels).Select(l => $"C{l}").ToList();
        var names = a.Cells.Select((c, j) => $"P{c.Level} (cell {j + 1})").ToList();
        var outputs = Enumerable.Range(a.Cells.Count - plan.Levels, plan.Levels).ToList();
        return new CellDiagram("pyramid (merging cells)", inputs, a.Cells.Count, edges, names, outputs, $"pyramid P{plan.MinLevel}-P{plan.MaxLevel}");
    }
}

/// <summary>Registers the NAS-FPN space (detection only).</summary>
public sealed class NasFpnDefinition : ISearchSpaceDefinition
{
    public string Name => NasFpnSearchSpace.SpaceName;

    public string Description =>
        "NAS-FPN merging cells (inputs, output level, sum or global-pooling attention) on a RetinaNet with a ResNet backbone; detection only.";

    public IReadOnlyList<string> Tasks { get; } = [DetectionTask.TaskName];

    public ISearchSpace Create(SpaceInput input, JsonElement? options)
    {
        var o = ComponentOptions.Read<NasFpnSpaceOptions>(options, $"the {Name} space");
        if (o.Channels is < 4 or > 512) throw new ArgumentException("channels must be between 4 and 512.");
        if (o.HeadDepth is < 0 or > 4) throw new ArgumentException("headDepth must be between 0 and 4.");
        if (o.FreeCells is < 0 or > 8) throw new ArgumentException("freeCells must be between 0 and 8.");
        if (!(o.BackboneWidth is > 0 and <= 4)) throw new ArgumentException("backboneWidth must be in (0, 4].");
        return new NasFpnSearchSpace(input, o);
    }
}
