using System.Globalization;
using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks.Classification;

namespace NasPlatform.Engine.Spaces.ResNet;

/// <summary>The space's options: a scale on the reference stage widths (smaller suits tighter latency budgets).</summary>
public sealed record ResNetSpaceOptions
{
    public double WidthScale { get; init; } = 1.0;
}

/// <summary>
/// ResNet/TResNet-style networks (He et al. 2016; Ridnik et al. 2021): a conv or SpaceToDepth stem,
/// then 3 stages (4 from 64 px) of basic or bottleneck residual blocks, each stage choosing its block,
/// width, depth, squeeze-excitation and — from the second stage — strided or anti-aliased
/// down-sampling. Plain 3 x 3 convolutions are what a CPU runs fastest, so this space reaches low
/// latencies that depthwise-heavy spaces cannot.
/// </summary>
public sealed class ResNetSearchSpace : ISearchSpace
{
    public const string SpaceName = "resnet";

    public static readonly IReadOnlyList<int> ReferenceWidths = [16, 32, 64, 128];
    public static readonly IReadOnlyList<string> Stems = [ResNetArchitecture.ConvStem, ResNetArchitecture.SpaceToDepthStem];
    public static readonly IReadOnlyList<string> Blocks = [ResNetArchitecture.Basic, ResNetArchitecture.Bottleneck];
    public static readonly IReadOnlyList<double> WidthMultipliers = [0.5, 1.0, 1.5, 2.0];
    public static readonly IReadOnlyList<int> Depths = [1, 2, 3];
    public static readonly IReadOnlyList<double> SeRatios = [0.0, 0.25];
    public static readonly IReadOnlyList<string> Downsamples = [ResNetArchitecture.StridedConv, ResNetArchitecture.AntiAliased];

    private readonly SpaceInput _input;
    private readonly double _scale;
    private readonly int _stages;
    private readonly IReadOnlyList<string> _stems;

    public ResNetSearchSpace(SpaceInput input, ResNetSpaceOptions options)
    {
        if (input.Image.Height < 8 || input.Image.Width < 8)
            throw new ArgumentException($"Images of {input.Image.Height}x{input.Image.Width} are too small for the {SpaceName} space (at least 8x8).");
        _input = input;
        _scale = options.WidthScale;
        _stages = Math.Min(input.Image.Height, input.Image.Width) >= 64 ? 4 : 3;
        // SpaceToDepth needs even sides.
        _stems = input.Image.Height % 2 == 0 && input.Image.Width % 2 == 0 ? Stems : [ResNetArchitecture.ConvStem];
        var decisions = new List<Decision> { new("stem", _stems.Count) };
        for (int s = 1; s <= _stages; s++)
        {
            decisions.Add(new($"stage{s}.block", Blocks.Count));
            decisions.Add(new($"stage{s}.width", WidthMultipliers.Count));
            decisions.Add(new($"stage{s}.depth", Depths.Count));
            decisions.Add(new($"stage{s}.se", SeRatios.Count));
            if (s > 1) decisions.Add(new($"stage{s}.downsample", Downsamples.Count));
        }
        Decisions = new DecisionSpace(decisions);
    }

    public string Name => SpaceName;

    public DecisionSpace Decisions { get; }

    public IArchitecture Decode(IReadOnlyList<int> choices)
    {
        Decisions.Validate(choices);
        int i = 0;
        string stem = _stems[choices[i++]];
        var stages = new List<ResNetStage>();
        for (int s = 0; s < _stages; s++)
        {
            string block = Blocks[choices[i++]];
            int width = Math.Max(4, (int)Math.Round(ReferenceWidths[s] * _scale * WidthMultipliers[choices[i++]] / 4) * 4);
            int depth = Depths[choices[i++]];
            double se = SeRatios[choices[i++]];
            string down = s == 0 ? ResNetArchitecture.NoDownsample : Downsamples[choices[i++]];
            stages.Add(new ResNetStage(block, width, depth, se, down));
        }
        int stemChannels = Math.Max(8, (int)Math.Round(16 * _scale / 4) * 4);
        return new ResNetArchitecture(SpaceName, _input.Image.Channels, _input.Image.Height, _input.Image.Width, _input.Output.Classes,
            stem, stemChannels, stages);
    }

    public IArchitecture Parse(string json) => ResNetArchitecture.FromJson(json);

    public ArchitectureGraph Graph(IArchitecture architecture) => ((ResNetArchitecture)architecture).Graph();

    public ArchitectureView Describe(IArchitecture architecture)
    {
        var a = (ResNetArchitecture)architecture;
        var inv = CultureInfo.InvariantCulture;
        var rows = a.Stages.Select((s, i) => (IReadOnlyList<string>)
        [
            (i + 1).ToString(inv), s.Block, s.Width.ToString(inv), s.Depth.ToString(inv),
            s.SeRatio > 0 ? s.SeRatio.ToString("0.##", inv) : "none", s.Downsample,
        ]).ToList();
        return new ArchitectureView(
            string.Create(inv, $"Input {a.InputChannels}x{a.InputHeight}x{a.InputWidth}, {a.NumClasses} classes, {a.Stem} stem of {a.StemChannels} channels, {a.Stages.Count} stages / {a.Stages.Sum(s => s.Depth)} blocks."),
            ["Stage", "Block", "Width", "Depth", "SE ratio", "Down-sampling"], rows);
    }
}

/// <summary>Registers the ResNet/TResNet-style space.</summary>
public sealed class ResNetDefinition : ISearchSpaceDefinition
{
    public string Name => ResNetSearchSpace.SpaceName;

    public string Description =>
        "ResNet/TResNet-style stages: basic or bottleneck blocks, widths, depths, SE, strided or anti-aliased down-sampling, conv or SpaceToDepth stem.";

    public IReadOnlyList<string> Tasks { get; } = [ClassificationTask.TaskName, global::NasPlatform.Engine.Tasks.Segmentation.SegmentationTask.TaskName];

    public ISearchSpace Create(SpaceInput input, JsonElement? options)
    {
        var o = ComponentOptions.Read<ResNetSpaceOptions>(options, $"the {Name} space");
        if (!(o.WidthScale is > 0 and <= 4)) throw new ArgumentException("widthScale must be in (0, 4].");
        return new ResNetSearchSpace(input, o);
    }
}
