namespace NasPlatform.Engine.Ops.Cells;

/// <summary>
/// The eight candidate ops of a DARTS cell edge (Liu et al. 2019), by the names of DARTS's
/// PRIMITIVES and in their order: the supernet mixes them, a genotype names them, and the discrete
/// network builds them from here, so an op means the same in search, training and export.
/// </summary>
public static class CellOps
{
    public const string None = "none";
    public const string MaxPool = "max_pool_3x3";
    public const string AvgPool = "avg_pool_3x3";
    public const string Skip = "skip_connect";
    public const string SepConv3 = "sep_conv_3x3";
    public const string SepConv5 = "sep_conv_5x5";
    public const string DilConv3 = "dil_conv_3x3";
    public const string DilConv5 = "dil_conv_5x5";

    /// <summary>All eight, "none" first, as DARTS orders them (the columns of alpha).</summary>
    public static IReadOnlyList<string> Names { get; } = [None, MaxPool, AvgPool, Skip, SepConv3, SepConv5, DilConv3, DilConv5];

    /// <summary>The seven a derived cell may keep (the zero op is never chosen).</summary>
    public static IReadOnlyList<string> Kept { get; } = Names.Skip(1).ToList();

    public static bool IsPool(string name) => name is MaxPool or AvgPool;

    /// <summary>The op on an edge of width <paramref name="channels"/>; null for "none" (its output is zero).</summary>
    public static IOp? Create(string name, int channels, int stride, bool affine = true)
    {
        int c = channels;
        return name switch
        {
            None => null,
            MaxPool => new Pool3(Max: true, stride),
            AvgPool => new Pool3(Max: false, stride),
            Skip => stride == 1 ? new Identity() : new FactorizedReduce(c, c, affine),
            SepConv3 => Separable(c, 3, stride, affine),
            SepConv5 => Separable(c, 5, stride, affine),
            DilConv3 => Dilated(c, 3, stride, affine),
            DilConv5 => Dilated(c, 5, stride, affine),
            _ => throw new ArgumentException($"Unknown cell op '{name}'. Known ops: {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    /// <summary>DARTS's SepConv: (ReLU, depthwise k x k, pointwise, BN) twice, the first at the edge's stride.</summary>
    private static Sequence Separable(int c, int kernel, int stride, bool affine) => new([
        ("dw1", new PreActConv(c, c, kernel, stride, Groups: c, Bn: false)),
        ("pw1", new PreActConv(c, c, 1, Relu: false, Affine: affine)),
        ("dw2", new PreActConv(c, c, kernel, 1, Groups: c, Bn: false)),
        ("pw2", new PreActConv(c, c, 1, Relu: false, Affine: affine)),
    ]);

    /// <summary>DARTS's DilConv: ReLU, depthwise k x k with dilation 2, pointwise, BN.</summary>
    private static Sequence Dilated(int c, int kernel, int stride, bool affine) => new([
        ("dw", new PreActConv(c, c, kernel, stride, Dilation: 2, Groups: c, Bn: false)),
        ("pw", new PreActConv(c, c, 1, Relu: false, Affine: affine)),
    ]);
}
