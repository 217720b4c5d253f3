using System.Text.Json.Serialization;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Tasks;

namespace NasPlatform.Engine.Spaces.ShuffleNetV2;

/// <summary>
/// One stage: the paper's width level it was decoded from (0.5 for "0.5x"), its width (even, for the
/// split), number of units, depthwise kernel and the stride of its first unit (1 where down-sampling
/// would leave a map under 4 x 4).
/// </summary>
public sealed record ShuffleNetV2Stage(double WidthLevel, int Width, int Units, int Kernel, int Stride);

/// <summary>A ShuffleNet V2 network as plain data (stable JSON and hash, like every architecture).</summary>
public sealed record ShuffleNetV2Architecture(
    string Space,
    int InputChannels,
    int InputHeight,
    int InputWidth,
    int NumClasses,
    int StemChannels,
    int StemStride,
    bool StemPool,
    IReadOnlyList<ShuffleNetV2Stage> Stages,
    int HeadChannels) : IArchitecture
{
    public string ToJson(bool indented = false) => ArchitectureJson.Write(this, indented);

    [JsonIgnore]
    public string Hash => ArchitectureHash.Of(ToJson());

    public bool Equals(ShuffleNetV2Architecture? other) => other is not null && ToJson() == other.ToJson();

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToJson());

    public static ShuffleNetV2Architecture FromJson(string json)
    {
        const string space = ShuffleNetV2SearchSpace.SpaceName;
        var arch = ArchitectureJson.Read<ShuffleNetV2Architecture>(json, space);
        if (arch is not { Space: space, Stages.Count: > 0 }) throw new FormatException($"Not an architecture of the {space} space.");
        static void Check(bool ok, string what) { if (!ok) throw new FormatException($"Invalid {space} architecture: {what}."); }
        Check(arch.InputChannels >= 1 && arch.InputHeight >= 8 && arch.InputWidth >= 8 && arch.NumClasses >= 2, "input or classes");
        Check(arch.StemChannels >= 1 && arch.StemStride is 1 or 2 && arch.HeadChannels >= 1, "stem or head");
        foreach (var s in arch.Stages)
            Check(s.Width >= 2 && s.Width % 2 == 0 && s.Units >= 1 && s.Kernel is 3 or 5 or 7 && s.Stride is 1 or 2,
                $"stage of width {s.Width}, {s.Units} units, kernel {s.Kernel}, stride {s.Stride}");
        return arch;
    }

    /// <summary>Stem, stages (a down-sampling unit, then basic units), the 1 x 1 head conv; the task adds pooling and the classifier.</summary>
    public ArchitectureGraph Graph()
    {
        var layers = new List<(string, IOp)> { ("stem", new ConvBn(InputChannels, StemChannels, 3, StemStride)) };
        if (StemPool) layers.Add(("pool", new MaxPool(3, 2)));
        int inCh = StemChannels;
        for (int s = 0; s < Stages.Count; s++)
        {
            var stage = Stages[s];
            // The first unit changes the width, so it has no split even where it keeps the resolution.
            layers.Add(($"s{s + 1}_u1", ShuffleUnit.Downsample(inCh, stage.Width, stage.Kernel, stage.Stride)));
            for (int u = 2; u <= stage.Units; u++) layers.Add(($"s{s + 1}_u{u}", ShuffleUnit.Basic(stage.Width, stage.Kernel)));
            inCh = stage.Width;
        }
        layers.Add(("head", new ConvBn(inCh, HeadChannels, 1)));
        return new ArchitectureGraph(new FeatureShape(InputChannels, InputHeight, InputWidth), new Sequence(layers), new TaskOutput(NumClasses));
    }
}
