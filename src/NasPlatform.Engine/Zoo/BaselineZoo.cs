using System.Globalization;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Spaces.AutoDeepLab;
using NasPlatform.Engine.Spaces.Darts;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Engine.Spaces.NasFpn;
using NasPlatform.Engine.Spaces.ResNet;
using NasPlatform.Engine.Spaces.ShuffleNetV2;

namespace NasPlatform.Engine.Zoo;

/// <summary>A hand-designed network family, written as an architecture of one of the registered spaces.</summary>
public sealed record ZooFamily(string Name, string Description, string Space, Func<SpaceInput, double, IArchitecture> Build) : IRegistered;

/// <summary>One member of the zoo: a family at a width multiplier, as an architecture of its space.</summary>
public sealed record ZooMember(string Name, string Family, double Width, ISearchSpace Space, IArchitecture Architecture);

/// <summary>
/// The baselines a search has to beat: classic hand-designed networks adapted to small inputs, at a
/// few width multipliers, trained with exactly the final recipe of the search (same trainer, data,
/// epochs, augmentation), so the comparison is fair. Each is an architecture of a registered space,
/// so it is built, costed, measured, stored and drawn like any searched one.
/// </summary>
public static class BaselineZoo
{
    public static readonly IReadOnlyList<double> Widths = [0.25, 0.5, 1.0];

    public static IReadOnlyList<ZooFamily> Families { get; } =
    [
        new("vgg", "VGG-style plain CNN: a 3 x 3 stem, then per stage two 3 x 3 conv-BN-ReLU (the first strided), no shortcuts.",
            ResNetSearchSpace.SpaceName, (input, w) => ResNetLike(input, ResNetArchitecture.ConvStem, (int)(32 * w),
                [Stage(ResNetArchitecture.Plain, 32 * w, 1, 0, ResNetArchitecture.NoDownsample), Stage(ResNetArchitecture.Plain, 64 * w, 1, 0),
                 Stage(ResNetArchitecture.Plain, 128 * w, 1, 0)])),
        new("resnet20", "ResNet-20 (He et al. 2016, CIFAR variant): 3 stages of 3 basic blocks, 16/32/64 channels.",
            ResNetSearchSpace.SpaceName, (input, w) => ResNetLike(input, ResNetArchitecture.ConvStem, (int)(16 * w),
                [Stage(ResNetArchitecture.Basic, 16 * w, 3, 0, ResNetArchitecture.NoDownsample), Stage(ResNetArchitecture.Basic, 32 * w, 3, 0),
                 Stage(ResNetArchitecture.Basic, 64 * w, 3, 0)])),
        new("tresnet", "TResNet-like: SpaceToDepth stem, basic blocks with SE then bottlenecks, anti-aliased down-sampling.",
            ResNetSearchSpace.SpaceName, (input, w) => ResNetLike(input,
                input.Image.Height % 2 == 0 && input.Image.Width % 2 == 0 ? ResNetArchitecture.SpaceToDepthStem : ResNetArchitecture.ConvStem, (int)(32 * w),
                [Stage(ResNetArchitecture.Basic, 32 * w, 1, 0.25, ResNetArchitecture.NoDownsample),
                 Stage(ResNetArchitecture.Basic, 64 * w, 2, 0.25, ResNetArchitecture.AntiAliased),
                 Stage(ResNetArchitecture.Bottleneck, 128 * w, 2, 0.25, ResNetArchitecture.AntiAliased)])),
        new("mobilenetv2", "MobileNetV2-like: MBConv6 3 x 3 inverted residuals over MnasNet's reference stages (MBConv1 first).",
            MnasSearchSpace.SpaceName, (input, w) =>
            {
                double scale = (Math.Min(input.Image.Height, input.Image.Width) < 64 ? 0.5 : 1.0) * w;
                return new MnasSearchSpace(input.Image.Channels, input.Image.Height, input.Image.Width, input.Output.Classes,
                    new MnasSpaceOptions { WidthScale = scale }).ReferenceArchitecture();
            }),
        new("shufflenetv2", "ShuffleNet V2 1x-like (Ma et al. 2018): split, shuffle and down-sampling units, 116/232/464 channels x width, 1024 head.",
            ShuffleNetV2SearchSpace.SpaceName, (input, w) => ShuffleNetV2SearchSpace.ReferenceArchitecture(input, w)),
        new("deeplab", "DeepLab v3-like (segmentation): cells of separable and atrous 3 x 3 convs with identity shortcuts, down to 1/16 and kept there "
            + "(output stride 16), then ASPP; 16 channels at 1/4 x width.",
            AutoDeepLabSearchSpace.SpaceName, DeepLabLike),
        new("fpn", "FPN (Lin et al. 2017) on the NAS-FPN space's RetinaNet (detection): top-down sums of laterals and coarser outputs, "
            + "64 channels x width, the same backbone and subnets as a NAS-FPN search.",
            NasFpnSearchSpace.SpaceName, (input, w) => new NasFpnSearchSpace(input, new NasFpnSpaceOptions()).Fpn(Math.Max(8, (int)Math.Round(64 * w)))),
    ];

    /// <summary>The name of a family's member at a width, e.g. resnet20-1x.</summary>
    public static string MemberName(string family, double width) => string.Create(CultureInfo.InvariantCulture, $"{family}-{width:0.##}x");

    /// <summary>Every member's name, whatever the input (for checking a request before its data is read).</summary>
    public static IReadOnlyList<string> MemberNames { get; } = [.. Families.SelectMany(f => Widths.Select(w => MemberName(f.Name, w)))];

    /// <summary>Every member whose space is registered and serves the task, for this input.</summary>
    public static IReadOnlyList<ZooMember> Members(SearchCatalog catalog, SpaceInput input, string task, IEnumerable<string>? families = null)
    {
        var wanted = families?.ToHashSet(StringComparer.Ordinal);
        var members = new List<ZooMember>();
        foreach (var family in Families)
        {
            if (wanted is not null && !wanted.Contains(family.Name)) continue;
            if (!catalog.Spaces.Contains(family.Space) || !catalog.Spaces.Get(family.Space).Tasks.Contains(task)) continue;
            var space = catalog.Spaces.Get(family.Space).Create(input, null);
            foreach (var width in Widths)
                members.Add(new ZooMember(MemberName(family.Name, width), family.Name, width, space,
                    family.Build(input, width)));
        }
        return members;
    }

    /// <summary>A hand-made point of the Auto-DeepLab space: each block a separable (even blocks) or atrous conv of the latest state plus the state
    /// before it, and a path that goes one level down per layer to 1/16 (or the deepest level) and stays.</summary>
    private static AutoDeepLabArchitecture DeepLabLike(SpaceInput input, double width)
    {
        var o = new AutoDeepLabSpaceOptions();
        var cell = new List<DartsEdge>();
        for (int b = 0; b < o.Blocks; b++)
        {
            cell.Add(new DartsEdge(b % 2 == 0 ? CellOps.SepConv3 : CellOps.DilConv3, b + 1));
            cell.Add(new DartsEdge(CellOps.Skip, b));
        }
        var path = Enumerable.Range(1, o.Layers).Select(l => Math.Min(l, Math.Min(o.Levels - 1, 2))).ToList();
        return new AutoDeepLabArchitecture(AutoDeepLabSearchSpace.SpaceName, input.Image.Channels, input.Image.Height, input.Image.Width, input.Output.Classes,
            o.Levels, Math.Max(2, (int)Math.Round(8 * width) * 2), o.AsppChannels, cell, path);
    }

    private static ResNetStage Stage(string block, double width, int depth, double se, string down = ResNetArchitecture.StridedConv) =>
        new(block, Math.Max(4, (int)Math.Round(width / 4) * 4), depth, se, down);

    private static ResNetArchitecture ResNetLike(SpaceInput input, string stem, int stemChannels, IReadOnlyList<ResNetStage> stages) =>
        new(ResNetSearchSpace.SpaceName, input.Image.Channels, input.Image.Height, input.Image.Width, input.Output.Classes,
            stem, Math.Max(8, stemChannels), stages);
}
