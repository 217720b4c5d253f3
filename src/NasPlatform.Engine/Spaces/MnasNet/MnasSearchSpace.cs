using System.Globalization;
using NasPlatform.Engine.Common;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks;

namespace NasPlatform.Engine.Spaces.MnasNet;

/// <summary>How the reference network is adapted to the dataset.</summary>
public sealed record MnasSpaceOptions
{
    /// <summary>Multiplier on the reference filters. Default: 0.5 below 64 px, else 1.0.</summary>
    public double? WidthScale { get; init; }

    /// <summary>Width of the 1 x 1 head convolution. Default: the profile's below 64 px (searched where the profile searches it), else 1280 x scale.</summary>
    public int? HeadChannels { get; init; }
}

/// <summary>
/// MnasNet's factorized hierarchical search space (Tan et al. 2019, section 4.1): a fixed sequence of
/// blocks (7 following MobileNetV2's stages in <see cref="MnasProfile.Standard"/>); each block
/// independently chooses ConvOp, kernel size, SE ratio, skip op, filter multiplier and layer-count
/// delta. Small inputs get a stride-1 stem and only as many stride-2 blocks as keep the last feature
/// map above the profile's limit. A profile may search the head width too (one last decision).
/// </summary>
public sealed class MnasSearchSpace : ISearchSpace
{
    /// <summary>The name of the standard profile's space (<see cref="Name"/> is the profile's).</summary>
    public const string SpaceName = "mnasnet";

    public static readonly IReadOnlyList<ConvOp> ConvOps = [ConvOp.Conv, ConvOp.DepthwiseConv, ConvOp.MBConv1, ConvOp.MBConv3, ConvOp.MBConv6];
    public static readonly IReadOnlyList<int> Kernels = [3, 5];
    public static readonly IReadOnlyList<double> SeRatios = [0.0, 0.25];
    public static readonly IReadOnlyList<SkipOp> SkipOps = [SkipOp.Pool, SkipOp.Identity, SkipOp.None];

    /// <summary>Decisions per block, in the order of <see cref="DecisionSpace"/> entries.</summary>
    public const int DecisionsPerBlock = 6;

    private readonly bool[] _downsamples;

    public MnasSearchSpace(int channels, int height, int width, int numClasses, MnasSpaceOptions? options = null, MnasProfile? profile = null)
    {
        if (channels < 1 || height < 8 || width < 8)
            throw new ArgumentException($"Input {channels}x{height}x{width} is too small for this search space (at least 8 x 8).");
        if (numClasses < 2) throw new ArgumentException("At least two classes are needed.");
        options ??= new MnasSpaceOptions();
        Profile = profile ?? MnasProfile.Standard;
        InputChannels = channels;
        InputHeight = height;
        InputWidth = width;
        NumClasses = numClasses;
        bool small = Math.Min(height, width) < 64;
        WidthScale = options.WidthScale ?? (small ? Profile.SmallWidthScale : 1.0);
        StemStride = small ? 1 : 2;
        StemChannels = MakeDivisible(Profile.StemChannels * WidthScale);
        if (options.HeadChannels is null && Profile.HeadChoices.Count > 0)
            HeadWidths = Profile.HeadChoices.Select(h => MakeDivisible(h * WidthScale)).ToList();
        else HeadChannels = options.HeadChannels ?? (small ? Profile.SmallHeadChannels : MakeDivisible(1280 * WidthScale));

        // Keep the first k down-sampling blocks of the reference, k chosen from the resolution.
        int size = (Math.Min(height, width) + StemStride - 1) / StemStride;
        int reductions = 0;
        int maxReductions = Reference.Count(b => b.Downsamples);
        while (size > Profile.DownsampleWhileAbove && reductions < maxReductions) { size = (size + 1) / 2; reductions++; }
        _downsamples = new bool[Reference.Count];
        int kept = 0;
        for (int i = 0; i < Reference.Count; i++)
            if (Reference[i].Downsamples && kept < reductions) { _downsamples[i] = true; kept++; }

        var decisions = new List<Decision>();
        for (int b = 0; b < Reference.Count; b++)
        {
            decisions.Add(new($"block{b + 1}.op", ConvOps.Count));
            decisions.Add(new($"block{b + 1}.kernel", Kernels.Count));
            decisions.Add(new($"block{b + 1}.se", SeRatios.Count));
            decisions.Add(new($"block{b + 1}.skip", SkipOps.Count));
            decisions.Add(new($"block{b + 1}.width", Profile.WidthMultipliers.Count));
            decisions.Add(new($"block{b + 1}.layers", Profile.LayerDeltas.Count));
        }
        if (HeadWidths.Count > 0) decisions.Add(new("head", HeadWidths.Count));
        Decisions = new DecisionSpace(decisions);
    }

    public int InputChannels { get; }
    public int InputHeight { get; }
    public int InputWidth { get; }
    public int NumClasses { get; }
    public double WidthScale { get; }
    public int StemChannels { get; }
    public int StemStride { get; }
    public MnasProfile Profile { get; }

    /// <summary>The head's width where it is fixed (null where it is a decision).</summary>
    public int? HeadChannels { get; }

    /// <summary>The head widths to choose from where the profile searches it (empty otherwise).</summary>
    public IReadOnlyList<int> HeadWidths { get; } = [];

    public int BlockCount => Reference.Count;

    private IReadOnlyList<ReferenceBlock> Reference => Profile.Reference;

    public string Name => Profile.Name;

    IArchitecture ISearchSpace.Decode(IReadOnlyList<int> choices) => Decode(choices);

    public IArchitecture Parse(string json)
    {
        var arch = MnasArchitecture.FromJson(json);
        return arch.Space == Name ? arch : throw new FormatException($"The architecture is of the '{arch.Space}' space, not '{Name}'.");
    }

    public ArchitectureGraph Graph(IArchitecture architecture) => ((MnasArchitecture)architecture).Graph();

    public ArchitectureView Describe(IArchitecture architecture)
    {
        var a = (MnasArchitecture)architecture;
        var inv = CultureInfo.InvariantCulture;
        string summary = string.Create(inv,
            $"Input {a.InputChannels}x{a.InputHeight}x{a.InputWidth}, {a.NumClasses} classes, stem {a.StemChannels} channels (stride {a.StemStride}), " +
            $"{a.Blocks.Count} blocks / {a.Depth} layers, head {a.HeadChannels} channels.");
        var rows = a.Blocks.Select((b, i) => (IReadOnlyList<string>)
        [
            (i + 1).ToString(inv), b.OpName, $"{b.Kernel}x{b.Kernel}", b.Expansion.ToString(inv),
            b.SeRatio > 0 ? b.SeRatio.ToString("0.##", inv) : "none", b.Skip.ToString().ToLowerInvariant(),
            b.WidthMultiplier.ToString("0.##", inv), b.Filters.ToString(inv),
            string.Create(inv, $"{b.Layers} ({(b.LayerDelta >= 0 ? "+" : "")}{b.LayerDelta})"), b.Stride.ToString(inv),
        ]).ToList();
        return new ArchitectureView(summary, ["Block", "Op", "Kernel", "Expansion", "SE ratio", "Skip", "Width ×", "Filters", "Layers", "Stride"], rows);
    }

    /// <summary>What strategies see of this space.</summary>
    public DecisionSpace Decisions { get; }

    /// <summary>Builds the architecture a choice vector stands for.</summary>
    public MnasArchitecture Decode(IReadOnlyList<int> choices)
    {
        Decisions.Validate(choices);
        var blocks = new List<MnasBlock>(Reference.Count);
        for (int b = 0; b < Reference.Count; b++)
        {
            int o = b * DecisionsPerBlock;
            var reference = Reference[b];
            double mult = Profile.WidthMultipliers[choices[o + 4]];
            int delta = Profile.LayerDeltas[choices[o + 5]];
            blocks.Add(new MnasBlock(
                Op: ConvOps[choices[o]],
                Kernel: Kernels[choices[o + 1]],
                SeRatio: SeRatios[choices[o + 2]],
                Skip: SkipOps[choices[o + 3]],
                WidthMultiplier: mult,
                LayerDelta: delta,
                Filters: MakeDivisible(reference.Filters * WidthScale * mult),
                Layers: Math.Max(1, reference.Layers + delta),
                Stride: _downsamples[b] ? 2 : 1));
        }
        int head = HeadChannels ?? HeadWidths[choices[choices.Count - 1]];
        return new MnasArchitecture(Name, InputChannels, InputHeight, InputWidth, NumClasses,
            StemChannels, StemStride, head, blocks);
    }

    /// <summary>The choice vector of an architecture of this space (inverse of <see cref="Decode"/>).</summary>
    public int[] Encode(MnasArchitecture arch)
    {
        if (arch.Blocks.Count != Reference.Count) throw new ArgumentException("The architecture has a different number of blocks.");
        var choices = new int[Decisions.Count];
        for (int b = 0; b < Reference.Count; b++)
        {
            var block = arch.Blocks[b];
            int o = b * DecisionsPerBlock;
            choices[o] = IndexOf(ConvOps, block.Op, "op");
            choices[o + 1] = IndexOf(Kernels, block.Kernel, "kernel");
            choices[o + 2] = IndexOf(SeRatios, block.SeRatio, "SE ratio");
            choices[o + 3] = IndexOf(SkipOps, block.Skip, "skip op");
            choices[o + 4] = IndexOf(Profile.WidthMultipliers, block.WidthMultiplier, "width multiplier");
            choices[o + 5] = IndexOf(Profile.LayerDeltas, block.LayerDelta, "layer delta");
        }
        if (HeadWidths.Count > 0) choices[^1] = IndexOf(HeadWidths, arch.HeadChannels, "head width");
        return choices;
    }

    public MnasArchitecture Sample(SeededRandom random)
    {
        var choices = new int[Decisions.Count];
        for (int i = 0; i < choices.Length; i++) choices[i] = random.Next(Decisions.Decisions[i].Cardinality);
        return Decode(choices);
    }

    /// <summary>MobileNetV2-like reference point: MBConv6 3x3, identity skip, no SE, reference widths and depths, the widest searched head.</summary>
    public MnasArchitecture ReferenceArchitecture()
    {
        var choices = new int[Decisions.Count];
        for (int b = 0; b < Reference.Count; b++)
        {
            int o = b * DecisionsPerBlock;
            choices[o] = b == 0 ? IndexOf(ConvOps, ConvOp.MBConv1, "op") : IndexOf(ConvOps, ConvOp.MBConv6, "op");
            choices[o + 1] = 0;
            choices[o + 2] = 0;
            choices[o + 3] = IndexOf(SkipOps, SkipOp.Identity, "skip op");
            choices[o + 4] = IndexOf(Profile.WidthMultipliers, 1.0, "width multiplier");
            choices[o + 5] = IndexOf(Profile.LayerDeltas, 0, "layer delta");
        }
        if (HeadWidths.Count > 0) choices[^1] = HeadWidths.Count - 1;
        return Decode(choices);
    }

    /// <summary>Rounds a width to a multiple of 4, never below 4 nor more than 10% below the request.</summary>
    public static int MakeDivisible(double value, int divisor = 4)
    {
        int rounded = Math.Max(divisor, (int)(value + divisor / 2.0) / divisor * divisor);
        if (rounded < 0.9 * value) rounded += divisor;
        return rounded;
    }

    private static int IndexOf<T>(IReadOnlyList<T> options, T value, string what)
    {
        for (int i = 0; i < options.Count; i++)
            if (EqualityComparer<T>.Default.Equals(options[i], value)) return i;
        throw new ArgumentException($"The {what} {value} is not an option of this space.");
    }
}
