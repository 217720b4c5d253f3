using System.Globalization;
using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks.Classification;

namespace NasPlatform.Engine.Spaces.ShuffleNetV2;

/// <summary>The space's options: a scale on the stem, stage and head widths (smaller suits tighter latency budgets).</summary>
public sealed record ShuffleNetV2SpaceOptions
{
    public double WidthScale { get; init; } = 1.0;
}

/// <summary>
/// ShuffleNet V2 (Ma et al. 2018): a 3 x 3 conv stem, 3 stages of ShuffleNet V2 units (the first of each
/// down-samples and sets the width, the others split, transform half and shuffle), a 1 x 1 head conv.
/// Each stage chooses its width among the paper's levels, its number of units and its depthwise
/// kernel; the network chooses its head width. Small inputs keep their resolution in the stem (the
/// paper's stride-2 conv and max-pool only from 128 px) and a stage only down-samples while the map
/// stays at least 4 x 4, so 28 x 28 runs its stages at 14, 7 and 4.
/// </summary>
public sealed class ShuffleNetV2SearchSpace : ISearchSpace
{
    public const string SpaceName = "shufflenetv2";

    /// <summary>The width levels a stage may take: the paper's 0.5x, 1x and 1.5x and a quarter width for sub-millisecond budgets.</summary>
    public static readonly IReadOnlyList<double> WidthLevels = [0.25, 0.5, 1.0, 1.5];

    /// <summary>Stage widths per level (the paper's table 5; 0.25x halves 0.5x).</summary>
    private static readonly int[][] StageWidths = [[24, 48, 96], [48, 96, 192], [116, 232, 464], [176, 352, 704]];

    /// <summary>Units per stage in the paper (4, 8, 4); a stage takes a fraction of them.</summary>
    public static readonly IReadOnlyList<int> ReferenceUnits = [4, 8, 4];
    public static readonly IReadOnlyList<double> UnitFractions = [0.25, 0.5, 0.75, 1.0];
    public static readonly IReadOnlyList<int> Kernels = [3, 5, 7];

    /// <summary>Head widths; the paper's is 1024 up to 1.5x.</summary>
    public static readonly IReadOnlyList<int> HeadWidths = [256, 512, 1024];

    public const int ReferenceStemChannels = 24;

    private readonly SpaceInput _input;
    private readonly double _scale;
    private readonly int _stemStride;
    private readonly bool _stemPool;
    private readonly int[] _strides;

    public ShuffleNetV2SearchSpace(SpaceInput input, ShuffleNetV2SpaceOptions options)
    {
        int side = Math.Min(input.Image.Height, input.Image.Width);
        if (side < 8) throw new ArgumentException($"Images of {input.Image.Height}x{input.Image.Width} are too small for the {SpaceName} space (at least 8x8).");
        _input = input;
        _scale = options.WidthScale;
        _stemStride = side < 64 ? 1 : 2;
        _stemPool = side >= 128;
        int size = (side + _stemStride - 1) / _stemStride;
        if (_stemPool) size = (size + 1) / 2;
        _strides = new int[ReferenceUnits.Count];
        for (int s = 0; s < _strides.Length; s++)
        {
            _strides[s] = (size + 1) / 2 >= 4 ? 2 : 1;
            size = (size + _strides[s] - 1) / _strides[s];
        }
        var decisions = new List<Decision>();
        for (int s = 1; s <= ReferenceUnits.Count; s++)
        {
            decisions.Add(new($"stage{s}.width", WidthLevels.Count));
            decisions.Add(new($"stage{s}.units", UnitFractions.Count));
            decisions.Add(new($"stage{s}.kernel", Kernels.Count));
        }
        decisions.Add(new("head", HeadWidths.Count));
        Decisions = new DecisionSpace(decisions);
    }

    public string Name => SpaceName;

    public DecisionSpace Decisions { get; }

    /// <summary>
    /// ShuffleNet V2 1x for this input at the default options: the paper's widths (116, 232, 464),
    /// units (4, 8, 4), 3 x 3 kernels and 1024-wide head; only the stem follows the input size.
    /// </summary>
    public static ShuffleNetV2Architecture ReferenceArchitecture(SpaceInput input, double widthScale = 1.0)
    {
        var space = new ShuffleNetV2SearchSpace(input, new ShuffleNetV2SpaceOptions { WidthScale = widthScale });
        var choices = new List<int>();
        for (int s = 0; s < ReferenceUnits.Count; s++)
            choices.AddRange([IndexOf(WidthLevels, 1.0), IndexOf(UnitFractions, 1.0), IndexOf(Kernels, 3)]);
        choices.Add(IndexOf(HeadWidths, 1024));
        return space.Decode(choices);
    }

    IArchitecture ISearchSpace.Decode(IReadOnlyList<int> choices) => Decode(choices);

    public ShuffleNetV2Architecture Decode(IReadOnlyList<int> choices)
    {
        Decisions.Validate(choices);
        int i = 0;
        var stages = new List<ShuffleNetV2Stage>();
        for (int s = 0; s < ReferenceUnits.Count; s++)
        {
            int level = choices[i++];
            int units = Math.Max(1, (int)Math.Round(ReferenceUnits[s] * UnitFractions[choices[i++]], MidpointRounding.AwayFromZero));
            int kernel = Kernels[choices[i++]];
            stages.Add(new ShuffleNetV2Stage(WidthLevels[level], Scaled(StageWidths[level][s]), units, kernel, _strides[s]));
        }
        int head = Scaled(HeadWidths[choices[i]]);
        return new ShuffleNetV2Architecture(SpaceName, _input.Image.Channels, _input.Image.Height, _input.Image.Width, _input.Output.Classes,
            Math.Max(8, Scaled(ReferenceStemChannels)), _stemStride, _stemPool, stages, head);
    }

    public IArchitecture Parse(string json) => ShuffleNetV2Architecture.FromJson(json);

    public ArchitectureGraph Graph(IArchitecture architecture) => ((ShuffleNetV2Architecture)architecture).Graph();

    public ArchitectureView Describe(IArchitecture architecture)
    {
        var a = (ShuffleNetV2Architecture)architecture;
        var inv = CultureInfo.InvariantCulture;
        var rows = a.Stages.Select((s, i) => (IReadOnlyList<string>)
        [
            (i + 1).ToString(inv), s.WidthLevel.ToString("0.##", inv) + "x", s.Width.ToString(inv), s.Units.ToString(inv),
            $"{s.Kernel}x{s.Kernel}", s.Stride.ToString(inv),
        ]).ToList();
        string stem = string.Create(inv, $"stem {a.StemChannels} channels (stride {a.StemStride}{(a.StemPool ? ", max-pool" : "")})");
        return new ArchitectureView(
            string.Create(inv, $"Input {a.InputChannels}x{a.InputHeight}x{a.InputWidth}, {a.NumClasses} classes, {stem}, {a.Stages.Count} stages / {a.Stages.Sum(s => s.Units)} units, head {a.HeadChannels} channels."),
            ["Stage", "Width level", "Width", "Units", "Kernel", "Stride"], rows);
    }

    /// <summary>A width times the option's scale, to a multiple of 4 (so both halves of a split stay even).</summary>
    private int Scaled(int width) => Math.Max(4, (int)Math.Round(width * _scale / 4, MidpointRounding.AwayFromZero) * 4);

    private static int IndexOf<T>(IReadOnlyList<T> options, T value) =>
        options.Select((o, i) => (o, i)).First(x => EqualityComparer<T>.Default.Equals(x.o, value)).i;
}

/// <summary>Registers the ShuffleNet V2 space.</summary>
public sealed class ShuffleNetV2Definition : ISearchSpaceDefinition
{
    public string Name => ShuffleNetV2SearchSpace.SpaceName;

    public string Description =>
        "ShuffleNet V2 units (channel split, depthwise branch, channel shuffle) in 3 stages, each choosing its width (0.25x-1.5x), units and kernel (3/5/7); head width 256-1024.";

    public IReadOnlyList<string> Tasks { get; } = [ClassificationTask.TaskName];

    public ISearchSpace Create(SpaceInput input, JsonElement? options)
    {
        var o = ComponentOptions.Read<ShuffleNetV2SpaceOptions>(options, $"the {Name} space");
        if (!(o.WidthScale is > 0 and <= 4)) throw new ArgumentException("widthScale must be in (0, 4].");
        return new ShuffleNetV2SearchSpace(input, o);
    }
}
