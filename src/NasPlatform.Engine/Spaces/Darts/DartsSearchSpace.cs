using System.Globalization;
using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks.Classification;

namespace NasPlatform.Engine.Spaces.Darts;

/// <summary>The space's options: the network the cells are stacked into (DARTS searches with 8 cells of 16 initial channels).</summary>
public sealed record DartsSpaceOptions
{
    public int Cells { get; init; } = 8;
    public int Channels { get; init; } = 16;
}

/// <summary>
/// DARTS's cell space (Liu et al. 2019): a normal and a reduction cell, each with 2 inputs and 4
/// intermediate nodes over 14 candidate edges; a discrete cell keeps two edges per node, each with
/// one of the 7 non-zero ops. Cells at 1/3 and 2/3 of the depth reduce. The DARTS strategy searches
/// it through its supernet; every trial strategy (random, evolution, NAO) through the decisions:
/// per node and edge, which state it reads and which op it applies.
/// </summary>
public sealed class DartsSearchSpace : ISearchSpace
{
    public const string SpaceName = "darts";
    /// <summary>Below 3 cells every cell would reduce (at 1/3 and 2/3 of the depth) and the normal cell would not exist.</summary>
    public const int MinCells = 3;
    public const int MaxCells = 30;
    public const int MaxChannels = 128;
    public static readonly IReadOnlyList<string> CellTypes = ["normal", "reduce"];

    private readonly SpaceInput _input;

    public DartsSearchSpace(SpaceInput input, DartsSpaceOptions options)
    {
        if (Math.Min(input.Image.Height, input.Image.Width) < 8)
            throw new ArgumentException($"Images of {input.Image.Height}x{input.Image.Width} are too small for the {SpaceName} space (at least 8x8).");
        _input = input;
        Options = options;
        var decisions = new List<Decision>();
        foreach (var type in CellTypes)
            for (int node = 0; node < DartsArchitecture.Nodes; node++)
                for (int k = 0; k < 2; k++)
                {
                    decisions.Add(new($"{type}.node{node + 1}.edge{k + 1}.input", node + 2));
                    decisions.Add(new($"{type}.node{node + 1}.edge{k + 1}.op", CellOps.Kept.Count));
                }
        Decisions = new DecisionSpace(decisions);
    }

    public string Name => SpaceName;

    public DartsSpaceOptions Options { get; }

    /// <summary>The image and output the space's networks are built for.</summary>
    public SpaceInput Input => _input;

    public DecisionSpace Decisions { get; }

    IArchitecture ISearchSpace.Decode(IReadOnlyList<int> choices) => Decode(choices);

    public DartsArchitecture Decode(IReadOnlyList<int> choices)
    {
        Decisions.Validate(choices);
        int i = 0;
        List<DartsEdge> Cell()
        {
            var edges = new List<DartsEdge>();
            for (int e = 0; e < 2 * DartsArchitecture.Nodes; e++, i += 2) edges.Add(new DartsEdge(CellOps.Kept[choices[i + 1]], choices[i]));
            return edges;
        }
        var normal = Cell();
        return Architecture(normal, Cell());
    }

    /// <summary>The architecture of two derived cells in this space's network.</summary>
    public DartsArchitecture Architecture(IReadOnlyList<DartsEdge> normal, IReadOnlyList<DartsEdge> reduce) =>
        new(SpaceName, _input.Image.Channels, _input.Image.Height, _input.Image.Width, _input.Output.Classes, Options.Cells, Options.Channels, normal, reduce);

    public IArchitecture Parse(string json) => DartsArchitecture.FromJson(json);

    public ArchitectureGraph Graph(IArchitecture architecture) => ((DartsArchitecture)architecture).Graph();

    public ArchitectureView Describe(IArchitecture architecture)
    {
        var a = (DartsArchitecture)architecture;
        var inv = CultureInfo.InvariantCulture;
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (type, cell) in new[] { ("normal", a.Normal), ("reduce", a.Reduce) })
            for (int node = 0; node < DartsArchitecture.Nodes; node++)
                rows.Add([type, (node + 1).ToString(inv), Edge(cell[2 * node]), Edge(cell[2 * node + 1])]);
        var reductions = Enumerable.Range(0, a.Cells).Where(c => DartsArchitecture.IsReduction(c, a.Cells)).Select(c => (c + 1).ToString(inv));
        return new ArchitectureView(
            string.Create(inv, $"Input {a.InputChannels}x{a.InputHeight}x{a.InputWidth}, {a.NumClasses} classes, {a.Cells} cells of {a.Channels} initial channels, reduction cells {string.Join(" and ", reductions)}."),
            ["Cell", "Node", "Edge 1", "Edge 2"], rows, [Diagram("normal cell", a.Normal), Diagram("reduction cell", a.Reduce)]);
    }

    /// <summary>A derived cell as a graph; also used for a supernet's current genotype.</summary>
    public static CellDiagram Diagram(string name, IReadOnlyList<DartsEdge> cell) =>
        new(name, [StateName(0), StateName(1)], DartsArchitecture.Nodes, cell.Select((e, i) => new DiagramEdge(e.From, 2 + i / 2, e.Op)).ToList());

    /// <summary>A state by DARTS's names: c_{k-2} and c_{k-1} for the cell's inputs, then the nodes.</summary>
    public static string StateName(int state) => state switch { 0 => "c_{k-2}", 1 => "c_{k-1}", _ => $"node {state - 1}" };

    private static string Edge(DartsEdge e) => $"{e.Op} <- {StateName(e.From)}";
}

/// <summary>Registers the DARTS cell space.</summary>
public sealed class DartsDefinition : ISearchSpaceDefinition
{
    public string Name => DartsSearchSpace.SpaceName;

    public string Description =>
        "DARTS cells: a normal and a reduction cell of 4 nodes, each node adding 2 of its inputs through one of 7 ops (separable and dilated convs, pooling, skip); 8 cells of 16 channels by default (options cells, channels).";

    public IReadOnlyList<string> Tasks { get; } = [ClassificationTask.TaskName];

    public ISearchSpace Create(SpaceInput input, JsonElement? options)
    {
        var o = ComponentOptions.Read<DartsSpaceOptions>(options, $"the {Name} space");
        if (o.Cells is < DartsSearchSpace.MinCells or > DartsSearchSpace.MaxCells)
            throw new ArgumentException($"cells must be between {DartsSearchSpace.MinCells} and {DartsSearchSpace.MaxCells} (a network needs a normal cell besides its two reduction cells).");
        if (o.Channels is < 2 or > DartsSearchSpace.MaxChannels || o.Channels % 2 != 0)
            throw new ArgumentException($"channels must be an even number between 2 and {DartsSearchSpace.MaxChannels}.");
        return new DartsSearchSpace(input, o);
    }
}
