using System.Globalization;
using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks;

namespace NasPlatform.Web.Tests.Toy;

/// <summary>A plain CNN: a stride-2 stem and Depth 3x3 conv layers of Width channels. Registered by the tests only.</summary>
public sealed record ToyArchitecture(string Space, int Channels, int Height, int WidthPx, int Classes, int Width, int Depth) : IArchitecture
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson(bool indented = false) => JsonSerializer.Serialize(this, indented ? new JsonSerializerOptions(Json) { WriteIndented = true } : Json);

    [System.Text.Json.Serialization.JsonIgnore]
    public string Hash => ArchitectureHash.Of(ToJson());

    public static ToyArchitecture Parse(string json) =>
        JsonSerializer.Deserialize<ToyArchitecture>(json, Json) is { Space: ToySpace.SpaceName } a ? a : throw new FormatException("Not a toy architecture.");
}

public sealed class ToySearchSpace(SpaceInput input, int[] widths) : ISearchSpace
{
    public static readonly int[] Depths = [1, 2, 3];

    public string Name => ToySpace.SpaceName;

    public DecisionSpace Decisions { get; } = new([new Decision("width", widths.Length), new Decision("depth", Depths.Length)]);

    public IArchitecture Decode(IReadOnlyList<int> choices)
    {
        Decisions.Validate(choices);
        return new ToyArchitecture(Name, input.Image.Channels, input.Image.Height, input.Image.Width, input.Output.Classes,
            widths[choices[0]], Depths[choices[1]]);
    }

    public IArchitecture Parse(string json) => ToyArchitecture.Parse(json);

    public ArchitectureGraph Graph(IArchitecture architecture)
    {
        var a = (ToyArchitecture)architecture;
        var layers = new List<(string, IOp)> { ("stem", new ConvBn(a.Channels, a.Width, 3, 2)) };
        for (int i = 1; i <= a.Depth; i++) layers.Add(($"l{i}", new ConvBn(a.Width, a.Width, 3)));
        return new ArchitectureGraph(new FeatureShape(a.Channels, a.Height, a.WidthPx), new Sequence(layers), new TaskOutput(a.Classes));
    }

    public ArchitectureView Describe(IArchitecture architecture)
    {
        var a = (ToyArchitecture)architecture;
        return new ArchitectureView($"Toy CNN, {a.Depth} layers of {a.Width} channels", ["Layer", "Channels"],
            Enumerable.Range(1, a.Depth).Select(i => (IReadOnlyList<string>)[i.ToString(CultureInfo.InvariantCulture), a.Width.ToString(CultureInfo.InvariantCulture)]).ToList());
    }
}

/// <summary>The registration: name, description, options ({"widths": [4, 8]}).</summary>
public sealed class ToySpace : ISearchSpaceDefinition
{
    public const string SpaceName = "toy";

    public sealed record Options
    {
        public int[] Widths { get; init; } = [4, 8, 12, 16];
    }

    public string Name => SpaceName;
    public string Description => "A test-only space of plain CNNs.";
    public IReadOnlyList<string> Tasks { get; } = ["classification"];

    public ISearchSpace Create(SpaceInput input, JsonElement? options)
    {
        var o = ComponentOptions.Read<Options>(options, "the toy space");
        if (o.Widths.Length == 0 || o.Widths.Any(w => w < 1)) throw new ArgumentException("widths must be positive numbers.");
        return new ToySearchSpace(input, o.Widths);
    }
}
