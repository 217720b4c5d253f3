namespace NasPlatform.Engine.Ops;

/// <summary>How a layer's input reaches its output besides the body.</summary>
public enum ShortcutKind
{
    None,

    /// <summary>x + f(x) where input and output shapes match.</summary>
    Identity,

    /// <summary>Like identity, plus a shortcut on shape-changing layers: average pooling to the new
    /// resolution and a 1 x 1 projection to the new width (TResNet's down-sampling shortcut).</summary>
    Pool,
}

/// <summary>What a searchable layer op is built from.</summary>
public sealed record LayerArgs(int In, int Out, int Kernel, int Stride, double SeRatio = 0, ShortcutKind Shortcut = ShortcutKind.None);

/// <summary>
/// The registry of searchable layer ops: name -> factory, the way DARTS's operations.py maps names to
/// modules. Every space that lets a block choose its op takes them from here, so an op is defined
/// once (module, cost, later ONNX node and latency key) whatever space uses it.
/// </summary>
public static class LayerOps
{
    public const string Conv = "conv";
    public const string DepthwiseSeparable = "dwconv";
    public const string MBConv1 = "mbconv1";
    public const string MBConv3 = "mbconv3";
    public const string MBConv6 = "mbconv6";

    private static readonly Dictionary<string, Func<LayerArgs, ResidualBlock>> Factories = new()
    {
        [Conv] = a => Block(a, [("conv", new ConvBn(a.In, a.Out, a.Kernel, a.Stride))], a.Out, project: null),
        // A depthwise conv alone cannot change the width, so a pointwise conv follows it.
        [DepthwiseSeparable] = a => Block(a,
            [("dw", new ConvBn(a.In, a.In, a.Kernel, a.Stride, a.In)), ("pw", new ConvBn(a.In, a.Out, 1, Act: false))], a.Out, project: null),
        [MBConv1] = a => InvertedResidual(a, 1),
        [MBConv3] = a => InvertedResidual(a, 3),
        [MBConv6] = a => InvertedResidual(a, 6),
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    public static ResidualBlock Create(string name, LayerArgs args) =>
        Factories.TryGetValue(name, out var factory)
            ? factory(args)
            : throw new ArgumentException($"Unknown layer op '{name}'. Known ops: {string.Join(", ", Names)}.", nameof(name));

    /// <summary>Expansion factor of an inverted-residual op (1 for the others).</summary>
    public static int Expansion(string name) => name switch { MBConv3 => 3, MBConv6 => 6, _ => 1 };

    /// <summary>MobileNetV2 / MnasNet inverted residual: 1x1 expansion, depthwise k x k, SE, linear 1x1 projection.</summary>
    private static ResidualBlock InvertedResidual(LayerArgs a, int expansion)
    {
        int hidden = a.In * expansion;
        var body = new List<(string, IOp)>();
        if (expansion > 1) body.Add(("expand", new ConvBn(a.In, hidden, 1)));
        body.Add(("dw", new ConvBn(hidden, hidden, a.Kernel, a.Stride, hidden)));
        // The projection comes after SE (MnasNet / EfficientNet order).
        return Block(a, body, hidden, project: new ConvBn(hidden, a.Out, 1, Act: false));
    }

    private static ResidualBlock Block(LayerArgs a, List<(string, IOp)> body, int seChannels, IOp? project)
    {
        // SE bottleneck width: the layer's input width times the ratio (as in MnasNet / EfficientNet).
        var se = a.SeRatio > 0 ? new SqueezeExcite(seChannels, Math.Max(1, (int)(a.In * a.SeRatio))) : null;
        bool shapesMatch = a.Stride == 1 && a.In == a.Out;
        bool residual = a.Shortcut != ShortcutKind.None && (shapesMatch || a.Shortcut == ShortcutKind.Pool);
        IOp? shortcut = null;
        if (residual && !shapesMatch)
        {
            var parts = new List<(string, IOp)>();
            if (a.Stride > 1) parts.Add(("pool", new AvgPool(a.Stride)));
            if (a.In != a.Out) parts.Add(("proj", new ConvBn(a.In, a.Out, 1, Act: false)));
            shortcut = new Sequence(parts);
        }
        return new ResidualBlock(new Sequence(body), se, project, residual, shortcut);
    }
}
