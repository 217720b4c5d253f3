namespace NasPlatform.Engine.Spaces.MnasNet;

/// <summary>Reference values of one block: filters at width 1.0, layers, whether it may down-sample.</summary>
public sealed record ReferenceBlock(int Filters, int Layers, bool Downsamples);

/// <summary>
/// What one registered variant of MnasNet's factorized hierarchical space fixes: its name, the
/// stem width and reference blocks at width 1.0, the width multipliers and layer deltas every block chooses from, the defaults
/// below 64 px, how far blocks down-sample, and the head widths when the head is searched too. The
/// per-block decisions (op, kernel, SE, skip, width, layers) are the same in every variant.
/// </summary>
public sealed record MnasProfile(
    string Name,
    string Description,
    int StemChannels,
    IReadOnlyList<ReferenceBlock> Reference,
    IReadOnlyList<double> WidthMultipliers,
    IReadOnlyList<int> LayerDeltas,
    double SmallWidthScale,
    int SmallHeadChannels,
    int DownsampleWhileAbove,
    IReadOnlyList<int> HeadChoices)
{
    /// <summary>
    /// MnasNet itself (Tan et al. 2019): 7 blocks following MobileNetV2's stages (MnasNet-A1's widths
    /// at 224 x 224), down-sampling while the map is larger than 7 x 7. Stored searches decode with
    /// it, so its values never change.
    /// </summary>
    public static MnasProfile Standard { get; } = new(
        MnasSearchSpace.SpaceName,
        "MnasNet's factorized hierarchical space: 7 blocks, each choosing its op (conv, dwconv, MBConv1/3/6), kernel, SE, skip, width and depth.",
        StemChannels: 32,
        [
            new(16, 1, false), new(24, 2, true), new(40, 3, true), new(80, 4, true),
            new(112, 2, false), new(160, 3, true), new(320, 1, false),
        ],
        WidthMultipliers: [0.75, 1.0, 1.25],
        LayerDeltas: [-1, 0, 1],
        SmallWidthScale: 0.5,
        SmallHeadChannels: 256,
        DownsampleWhileAbove: 7,
        HeadChoices: []);

    /// <summary>
    /// MnasNet's decisions rescaled for small images and CPU budgets around 1 ms. On a CPU every layer
    /// costs tens of microseconds whatever its size, so depth sets the floor: 4 blocks of 1-2 layers,
    /// the first already strided so that no block runs at 28 x 28 or 32 x 32, down-sampling to 4 x 4,
    /// widths from a quarter to 3 times the reference, a searched head. On one core of the development
    /// machine it spans about 0.3-6 ms on 28 x 28 and 32 x 32 images, a third or more of it under 1 ms.
    /// </summary>
    public static MnasProfile Small { get; } = new(
        "mnasnet-small",
        "MnasNet's per-block decisions (op, kernel, SE, skip, width 0.25-3x, 1-2 layers) in 4 blocks that down-sample from the first, and a 128 or 256 head: about 0.3-6 ms on small images.",
        StemChannels: 16,
        [new(16, 1, true), new(32, 1, true), new(64, 1, true), new(128, 1, true)],
        WidthMultipliers: [0.25, 0.5, 1.0, 2.0, 3.0],
        LayerDeltas: [0, 1],
        SmallWidthScale: 1.0,
        SmallHeadChannels: 256,
        DownsampleWhileAbove: 6,
        HeadChoices: [128, 256]);

    public static IReadOnlyList<MnasProfile> All { get; } = [Standard, Small];
}
