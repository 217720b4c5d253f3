using System.Text.Json;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks;

namespace NasPlatform.Engine.Spaces;

/// <summary>
/// One point of a search space as plain data: it rebuilds the same network anywhere, serializes to
/// stable JSON and has a stable content hash, so equal architectures are recognised across processes.
/// Only its own space knows its type; the rest of the platform sees this interface and the JSON.
/// </summary>
public interface IArchitecture
{
    /// <summary>Registry name of the space it belongs to.</summary>
    string Space { get; }

    string ToJson(bool indented = false);

    /// <summary>First 16 hex digits of the SHA-256 of the compact JSON.</summary>
    string Hash { get; }
}

/// <summary>The content hash every architecture uses, so hashes mean the same across spaces.</summary>
public static class ArchitectureHash
{
    /// <summary>First 16 hex digits of the SHA-256 of the compact JSON.</summary>
    public static string Of(string compactJson) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(compactJson)))[..16];
}

/// <summary>
/// The JSON of architecture records: camelCase names in declaration order, compact unless indented.
/// The compact text is what their equality and hash compare, so it must not depend on anything else.
/// </summary>
public static class ArchitectureJson
{
    private static readonly JsonSerializerOptions Compact = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private static readonly JsonSerializerOptions Indented = new(Compact) { WriteIndented = true };

    public static string Write<T>(T architecture, bool indented = false) => JsonSerializer.Serialize(architecture, indented ? Indented : Compact);

    /// <summary>Reads a record; FormatException naming <paramref name="space"/> when the text is not one (the caller checks the values).</summary>
    public static T Read<T>(string json, string space) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Compact) ?? throw new FormatException($"Not an architecture of the {space} space: empty JSON.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not an architecture of the {space} space: {e.Message}", e);
        }
    }
}

/// <summary>The network an architecture describes, as ops: a backbone that ends in a feature map the task's head reads.</summary>
public sealed record ArchitectureGraph(FeatureShape Input, IOp Backbone, TaskOutput Output)
{
    public FeatureShape Features => Backbone.Output(Input);
}

/// <summary>A human view of an architecture for pages and model cards: a summary line, a table and, for cell spaces, the cells as graphs.</summary>
public sealed record ArchitectureView(string Summary, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows,
    IReadOnlyList<CellDiagram>? Cells = null);

/// <summary>
/// A cell as a graph for drawing: its input states, then <see cref="Nodes"/> intermediate nodes, each
/// fed by its edges; the cell's output concatenates the intermediate nodes (or, where <see cref="OutputNodes"/> names
/// some, is made of those, as a feature pyramid's levels). States are numbered inputs first, then nodes.
/// </summary>
/// <param name="NodeNames">Labels of the nodes (default "node 1", "node 2", ...).</param>
/// <param name="OutputNodes">The nodes (0-based) that form the output; null for all of them.</param>
/// <param name="OutputName">The output box's label.</param>
public sealed record CellDiagram(string Name, IReadOnlyList<string> Inputs, int Nodes, IReadOnlyList<DiagramEdge> Edges,
    IReadOnlyList<string>? NodeNames = null, IReadOnlyList<int>? OutputNodes = null, string OutputName = "output (concat)")
{
    public string StateName(int state) => state < Inputs.Count ? Inputs[state]
        : NodeNames is { } names ? names[state - Inputs.Count] : $"node {state - Inputs.Count + 1}";

    /// <summary>The nodes (0-based) that feed the output box.</summary>
    public IEnumerable<int> Outputs => OutputNodes ?? Enumerable.Range(0, Nodes);
}

/// <summary>An edge of a <see cref="CellDiagram"/>: from a state into a node (both numbered as states), labelled with its op.</summary>
public sealed record DiagramEdge(int From, int To, string Label);

/// <summary>
/// A search space built for one input shape and task: the decisions a strategy makes, how a choice
/// vector becomes an architecture, and how an architecture becomes ops.
/// </summary>
public interface ISearchSpace
{
    string Name { get; }

    /// <summary>What strategies see of this space.</summary>
    DecisionSpace Decisions { get; }

    IArchitecture Decode(IReadOnlyList<int> choices);

    /// <summary>Reads an architecture of this space back from its JSON (FormatException when it is not one).</summary>
    IArchitecture Parse(string json);

    ArchitectureGraph Graph(IArchitecture architecture);

    ArchitectureView Describe(IArchitecture architecture);
}

/// <summary>What a space is created for: the input images and the task's output.</summary>
public sealed record SpaceInput(FeatureShape Image, TaskOutput Output);

/// <summary>
/// A registered search space: its name, a description for forms and help, and how to create it for
/// an input with the space's own options (a JSON object the user may give, e.g. {"widthScale": 0.5}).
/// Adding a space is one folder with one of these, and one registration.
/// </summary>
public interface ISearchSpaceDefinition : IRegistered
{
    /// <summary>Tasks it can build networks for.</summary>
    IReadOnlyList<string> Tasks { get; }

    /// <summary>Checks the options (ArgumentException with a message naming the option) and builds the space.</summary>
    ISearchSpace Create(SpaceInput input, JsonElement? options);
}
