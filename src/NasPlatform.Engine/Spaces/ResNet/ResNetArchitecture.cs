using System.Text.Json.Serialization;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Tasks;

namespace NasPlatform.Engine.Spaces.ResNet;

/// <summary>One stage: its block type, width, depth, squeeze-excitation and how its first block down-samples.</summary>
public sealed record ResNetStage(string Block, int Width, int Depth, double SeRatio, string Downsample);

/// <summary>A ResNet/TResNet-style network as plain data (stable JSON and hash, like every architecture).</summary>
public sealed record ResNetArchitecture(
    string Space,
    int InputChannels,
    int InputHeight,
    int InputWidth,
    int NumClasses,
    string Stem,
    int StemChannels,
    IReadOnlyList<ResNetStage> Stages) : IArchitecture
{
    /// <summary>Block types; "plain" (two 3 x 3 convolutions, no shortcut) is not searched: it builds the zoo's VGG-style baseline.</summary>
    public const string Basic = "basic", Bottleneck = "bottleneck", Plain = "plain";
    public const string ConvStem = "conv", SpaceToDepthStem = "space-to-depth";
    public const string NoDownsample = "none", StridedConv = "stride", AntiAliased = "anti-aliased";

    public string ToJson(bool indented = false) => ArchitectureJson.Write(this, indented);

    [JsonIgnore]
    public string Hash => ArchitectureHash.Of(ToJson());

    public bool Equals(ResNetArchitecture? other) => other is not null && ToJson() == other.ToJson();

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToJson());

    public static ResNetArchitecture FromJson(string json)
    {
        var arch = ArchitectureJson.Read<ResNetArchitecture>(json, ResNetSearchSpace.SpaceName);
        if (arch is not { Space: ResNetSearchSpace.SpaceName, Stages.Count: > 0 } || arch.Stages.Any(s => s.Width < 1 || s.Depth < 1)
            || arch.Stages.Any(s => s.Block is not (Basic or Bottleneck or Plain)))
            throw new FormatException($"Not an architecture of the {ResNetSearchSpace.SpaceName} space.");
        return arch;
    }

    public ArchitectureGraph Graph()
    {
        var layers = new List<(string, IOp)>();
        if (Stem == SpaceToDepthStem)
        {
            layers.Add(("s2d", new SpaceToDepth(2)));
            layers.Add(("stem", new ConvBn(InputChannels * 4, StemChannels, 3)));
        }
        else layers.Add(("stem", new ConvBn(InputChannels, StemChannels, 3)));
        int inCh = StemChannels;
        for (int s = 0; s < Stages.Count; s++)
        {
            var stage = Stages[s];
            for (int l = 0; l < stage.Depth; l++)
            {
                string down = l == 0 ? stage.Downsample : NoDownsample;
                layers.Add(($"s{s + 1}_b{l + 1}", Block(stage, inCh, down)));
                inCh = stage.Width;
            }
        }
        return new ArchitectureGraph(new FeatureShape(InputChannels, InputHeight, InputWidth), new Sequence(layers), new TaskOutput(NumClasses));
    }

    /// <summary>A basic (3x3, 3x3) or bottleneck (1x1, 3x3, 1x1) block; the last BN starts at zero and ReLU follows the addition.</summary>
    private static ResidualBlock Block(ResNetStage stage, int inCh, string down)
    {
        int outCh = stage.Width;
        int stride = down == StridedConv ? 2 : 1;
        var body = new List<(string, IOp)>();
        if (stage.Block == Plain)
        {
            body.Add(("conv1", new ConvBn(inCh, outCh, 3, stride)));
            if (down == AntiAliased) body.Add(("aa", new AvgPool(2)));
            body.Add(("conv2", new ConvBn(outCh, outCh, 3)));
            return new ResidualBlock(new Sequence(body), null, Project: null, Residual: false, Shortcut: null);
        }
        if (stage.Block == Bottleneck)
        {
            int mid = Math.Max(8, outCh / 4);
            body.Add(("conv1", new ConvBn(inCh, mid, 1)));
            body.Add(("conv2", new ConvBn(mid, mid, 3, stride)));
            // TResNet's anti-aliased down-sampling: convolve at full resolution, then blur-pool (a 2 x 2 box filter here).
            if (down == AntiAliased) body.Add(("aa", new AvgPool(2)));
            body.Add(("conv3", new ConvBn(mid, outCh, 1, Act: false, ZeroInit: true)));
        }
        else
        {
            body.Add(("conv1", new ConvBn(inCh, outCh, 3, stride)));
            if (down == AntiAliased) body.Add(("aa", new AvgPool(2)));
            body.Add(("conv2", new ConvBn(outCh, outCh, 3, Act: false, ZeroInit: true)));
        }
        var se = stage.SeRatio > 0 ? new SqueezeExcite(outCh, Math.Max(1, (int)(outCh * stage.SeRatio))) : null;
        bool downsamples = down != NoDownsample;
        IOp? shortcut = null;
        if (downsamples || inCh != outCh)
        {
            var parts = new List<(string, IOp)>();
            if (downsamples) parts.Add(("pool", new AvgPool(2)));
            if (inCh != outCh) parts.Add(("proj", new ConvBn(inCh, outCh, 1, Act: false)));
            shortcut = new Sequence(parts);
        }
        return new ResidualBlock(new Sequence(body), se, Project: null, Residual: true, shortcut, ActAfterAdd: true);
    }
}
