using System.Text.Json.Serialization;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Ops.Detection;
using NasPlatform.Engine.Spaces.ResNet;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tasks.Detection;

namespace NasPlatform.Engine.Spaces.NasFpn;

/// <summary>
/// A RetinaNet detector as plain data: a backbone that is an architecture of the resnet space, the pyramid's levels and width,
/// its merging cells (the last one per level, coarsest first, are the outputs), and the depth of the class and box subnets.
/// </summary>
public sealed record NasFpnArchitecture(
    string Space,
    int InputChannels,
    int InputHeight,
    int InputWidth,
    int NumClasses,
    ResNetArchitecture Backbone,
    int MinLevel,
    int MaxLevel,
    int Channels,
    int HeadDepth,
    IReadOnlyList<MergingCell> Cells) : IArchitecture
{
    public string ToJson(bool indented = false) => ArchitectureJson.Write(this, indented);

    [JsonIgnore]
    public string Hash => ArchitectureHash.Of(ToJson());

    public bool Equals(NasFpnArchitecture? other) => other is not null && ToJson() == other.ToJson();

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToJson());

    [JsonIgnore]
    public PyramidPlan Plan => new(MinLevel, MaxLevel, Cells);

    public static NasFpnArchitecture FromJson(string json)
    {
        var arch = ArchitectureJson.Read<NasFpnArchitecture>(json, NasFpnSearchSpace.SpaceName);
        if (arch is not { Space: NasFpnSearchSpace.SpaceName, Backbone: not null, Cells: not null } || arch.Channels < 1 || arch.HeadDepth < 0)
            throw new FormatException($"Not an architecture of the {NasFpnSearchSpace.SpaceName} space.");
        var layout = AnchorLayout.For(arch.InputHeight, arch.InputWidth);
        if (layout.MinLevel != arch.MinLevel || layout.MaxLevel != arch.MaxLevel)
            throw new FormatException($"Levels {arch.MinLevel}-{arch.MaxLevel} are not the anchor levels of {arch.InputHeight}x{arch.InputWidth} images ({layout.MinLevel}-{layout.MaxLevel}).");
        try
        {
            _ = arch.Plan;
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"Not an architecture of the {NasFpnSearchSpace.SpaceName} space: {e.Message}", e);
        }
        return arch;
    }

    public ArchitectureGraph Graph()
    {
        var input = new FeatureShape(InputChannels, InputHeight, InputWidth);
        var backbone = (Sequence)Backbone.Graph().Backbone;
        return new ArchitectureGraph(input, new Detector(input, backbone, Plan, Channels, HeadDepth, NumClasses), new TaskOutput(NumClasses));
    }
}
