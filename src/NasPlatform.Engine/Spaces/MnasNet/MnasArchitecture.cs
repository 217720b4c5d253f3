using System.Text.Json;
using System.Text.Json.Serialization;

using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Tasks;

namespace NasPlatform.Engine.Spaces.MnasNet;

/// <summary>The per-block convolution of MnasNet's search space.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ConvOp>))]
public enum ConvOp
{
    [JsonStringEnumMemberName("conv")] Conv,
    /// <summary>Depthwise k x k then pointwise 1 x 1 (a depthwise conv alone cannot change the width).</summary>
    [JsonStringEnumMemberName("dwconv")] DepthwiseConv,
    [JsonStringEnumMemberName("mbconv1")] MBConv1,
    [JsonStringEnumMemberName("mbconv3")] MBConv3,
    [JsonStringEnumMemberName("mbconv6")] MBConv6,
}

/// <summary>The per-block shortcut of MnasNet's search space.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SkipOp>))]
public enum SkipOp
{
    [JsonStringEnumMemberName("none")] None,
    /// <summary>x + f(x) on layers whose input and output shapes match.</summary>
    [JsonStringEnumMemberName("identity")] Identity,
    /// <summary>Like identity, plus a shortcut on shape-changing layers: average pooling to the new
    /// resolution and a 1 x 1 projection to the new width (TResNet's down-sampling shortcut).</summary>
    [JsonStringEnumMemberName("pool")] Pool,
}

/// <summary>
/// One block of the network: the searched choices (op, kernel, SE ratio, skip, width multiplier,
/// layer delta) and what they resolve to for this input (filters, layers, stride of the first layer).
/// Layers inside a block repeat the block's choice; only the first may have stride 2.
/// </summary>
public sealed record MnasBlock(
    ConvOp Op,
    int Kernel,
    double SeRatio,
    SkipOp Skip,
    double WidthMultiplier,
    int LayerDelta,
    int Filters,
    int Layers,
    int Stride)
{
    [JsonIgnore]
    public int Expansion => LayerOps.Expansion(OpName);

    /// <summary>The op's name in <see cref="LayerOps"/> (the same as in the JSON).</summary>
    [JsonIgnore]
    public string OpName => Op switch
    {
        ConvOp.Conv => LayerOps.Conv,
        ConvOp.DepthwiseConv => LayerOps.DepthwiseSeparable,
        ConvOp.MBConv1 => LayerOps.MBConv1,
        ConvOp.MBConv3 => LayerOps.MBConv3,
        _ => LayerOps.MBConv6,
    };

    [JsonIgnore]
    public ShortcutKind Shortcut => Skip switch { SkipOp.Identity => ShortcutKind.Identity, SkipOp.Pool => ShortcutKind.Pool, _ => ShortcutKind.None };
}

/// <summary>
/// A complete MnasNet-space architecture as plain data: everything needed to rebuild the network,
/// nothing else. Serializes to stable JSON (fixed property order, invariant numbers) and has a
/// stable content hash, so equal architectures are recognised across processes and sessions.
/// </summary>
public sealed record MnasArchitecture(
    string Space,
    int InputChannels,
    int InputHeight,
    int InputWidth,
    int NumClasses,
    int StemChannels,
    int StemStride,
    int HeadChannels,
    IReadOnlyList<MnasBlock> Blocks) : IArchitecture
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = false,
    };

    private static readonly JsonSerializerOptions IndentedOptions = new(JsonOptions) { WriteIndented = true };

    public string ToJson(bool indented = false) => JsonSerializer.Serialize(this, indented ? IndentedOptions : JsonOptions);

    public static MnasArchitecture FromJson(string json)
    {
        MnasArchitecture? arch;
        try
        {
            arch = JsonSerializer.Deserialize<MnasArchitecture>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Not an architecture of MnasNet's spaces: {e.Message}", e);
        }
        if (arch is null) throw new FormatException("The architecture JSON is empty.");
        if (!MnasProfile.All.Any(p => p.Name == arch.Space))
            throw new FormatException($"The architecture is of the '{arch.Space}' space, not one of {string.Join(", ", MnasProfile.All.Select(p => p.Name))}.");
        arch.Validate();
        return arch;
    }

    /// <summary>The backbone and what the task's head must produce (one score per class).</summary>
    public ArchitectureGraph Graph() => new(new FeatureShape(InputChannels, InputHeight, InputWidth), Backbone(), new TaskOutput(NumClasses));

    /// <summary>The network as ops: stem, every layer of every block, the 1 x 1 head convolution.</summary>
    public Sequence Backbone()
    {
        var layers = new List<(string, IOp)> { ("stem", new ConvBn(InputChannels, StemChannels, 3, StemStride)) };
        int inCh = StemChannels;
        for (int b = 0; b < Blocks.Count; b++)
        {
            var block = Blocks[b];
            for (int l = 0; l < block.Layers; l++)
            {
                var args = new LayerArgs(inCh, block.Filters, block.Kernel, l == 0 ? block.Stride : 1, block.SeRatio, block.Shortcut);
                layers.Add(($"b{b + 1}_l{l + 1}", LayerOps.Create(block.OpName, args)));
                inCh = block.Filters;
            }
        }
        layers.Add(("head", new ConvBn(inCh, HeadChannels, 1)));
        return new Sequence(layers);
    }

    /// <summary>First 16 hex digits of the SHA-256 of the compact JSON.</summary>
    [JsonIgnore]
    public string Hash => ArchitectureHash.Of(ToJson());

    public bool Equals(MnasArchitecture? other) => other is not null && ToJson() == other.ToJson();

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToJson());

    /// <summary>Total number of searched layers (stem and head excluded).</summary>
    [JsonIgnore]
    public int Depth => Blocks.Sum(b => b.Layers);

    public void Validate()
    {
        static void Check(bool ok, string what) { if (!ok) throw new FormatException($"Invalid architecture: {what}."); }
        Check(InputChannels is >= 1 and <= 4, $"input channels {InputChannels}");
        Check(InputHeight is >= 8 and <= 4096 && InputWidth is >= 8 and <= 4096, $"input size {InputHeight}x{InputWidth}");
        Check(NumClasses >= 2, $"{NumClasses} classes");
        Check(StemChannels >= 1 && StemStride is 1 or 2 && HeadChannels >= 1, "stem/head");
        Check(Blocks is { Count: > 0 }, "no blocks");
        foreach (var b in Blocks)
        {
            Check(b.Kernel is 3 or 5 or 7, $"kernel {b.Kernel}");
            Check(b.SeRatio is >= 0 and < 1, $"SE ratio {b.SeRatio}");
            Check(b.Filters >= 1 && b.Layers >= 1 && b.Stride is 1 or 2, $"block filters {b.Filters} layers {b.Layers} stride {b.Stride}");
        }
    }
}
