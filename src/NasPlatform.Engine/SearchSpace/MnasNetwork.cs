using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasPlatform.Engine.SearchSpace;

/// <summary>
/// The TorchSharp network an <see cref="MnasArchitecture"/> describes: stem, the searched blocks,
/// a 1 x 1 head convolution, global average pooling and a linear classifier.
/// </summary>
public sealed class MnasNetwork : Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Linear classifier;

    public MnasNetwork(MnasArchitecture arch) : base("MnasNetwork")
    {
        arch.Validate();
        Architecture = arch;
        var layers = new List<(string, Module<Tensor, Tensor>)>
        {
            ("stem", ConvBnAct(arch.InputChannels, arch.StemChannels, 3, arch.StemStride, groups: 1, act: true)),
        };
        int inCh = arch.StemChannels;
        for (int b = 0; b < arch.Blocks.Count; b++)
        {
            var block = arch.Blocks[b];
            for (int l = 0; l < block.Layers; l++)
            {
                int stride = l == 0 ? block.Stride : 1;
                layers.Add(($"b{b + 1}_l{l + 1}", new MnasLayer(block, inCh, block.Filters, stride)));
                inCh = block.Filters;
            }
        }
        layers.Add(("head", ConvBnAct(inCh, arch.HeadChannels, 1, 1, groups: 1, act: true)));
        layers.Add(("pool", AdaptiveAvgPool2d(1)));
        layers.Add(("flatten", Flatten()));
        features = Sequential(layers);
        classifier = Linear(arch.HeadChannels, arch.NumClasses);
        RegisterComponents();
    }

    public MnasArchitecture Architecture { get; }

    public override Tensor forward(Tensor input)
    {
        using var f = features.call(input);
        return classifier.call(f);
    }

    /// <summary>Number of trainable parameters of the built module.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());

    internal static Sequential ConvBnAct(int inCh, int outCh, int kernel, int stride, int groups, bool act)
    {
        var modules = new List<(string, Module<Tensor, Tensor>)>
        {
            ("conv", Conv2d(inCh, outCh, kernel, stride: stride, padding: kernel / 2, groups: groups, bias: false)),
            ("bn", BatchNorm2d(outCh)),
        };
        if (act) modules.Add(("act", ReLU(inplace: true)));
        return Sequential(modules);
    }
}

/// <summary>One layer of a block: its ConvOp, optional squeeze-excitation, and its shortcut.</summary>
internal sealed class MnasLayer : Module<Tensor, Tensor>
{
    private readonly Sequential body;
    private readonly SqueezeExcitation? se;
    private readonly Module<Tensor, Tensor>? project;
    private readonly Module<Tensor, Tensor>? shortcut;
    private readonly bool residual;

    public MnasLayer(MnasBlock block, int inCh, int outCh, int stride) : base("MnasLayer")
    {
        var parts = new List<(string, Module<Tensor, Tensor>)>();
        int seChannels;
        switch (block.Op)
        {
            case ConvOp.Conv:
                parts.Add(("conv", MnasNetwork.ConvBnAct(inCh, outCh, block.Kernel, stride, 1, act: true)));
                seChannels = outCh;
                break;
            case ConvOp.DepthwiseConv:
                parts.Add(("dw", MnasNetwork.ConvBnAct(inCh, inCh, block.Kernel, stride, inCh, act: true)));
                parts.Add(("pw", MnasNetwork.ConvBnAct(inCh, outCh, 1, 1, 1, act: false)));
                seChannels = outCh;
                break;
            default:
                int hidden = inCh * block.Expansion;
                if (block.Expansion > 1) parts.Add(("expand", MnasNetwork.ConvBnAct(inCh, hidden, 1, 1, 1, act: true)));
                parts.Add(("dw", MnasNetwork.ConvBnAct(hidden, hidden, block.Kernel, stride, hidden, act: true)));
                seChannels = hidden;
                break;
        }
        if (block.SeRatio > 0)
            se = new SqueezeExcitation(seChannels, SeReducedChannels(block, inCh));
        // MBConv's linear projection comes after SE (MnasNet / EfficientNet order).
        if (block.Op is ConvOp.MBConv1 or ConvOp.MBConv3 or ConvOp.MBConv6)
            project = MnasNetwork.ConvBnAct(inCh * block.Expansion, outCh, 1, 1, 1, act: false);
        body = Sequential(parts);

        bool shapesMatch = stride == 1 && inCh == outCh;
        residual = block.Skip != SkipOp.None && (shapesMatch || block.Skip == SkipOp.Pool);
        if (residual && !shapesMatch)
        {
            var sc = new List<(string, Module<Tensor, Tensor>)>();
            if (stride > 1) sc.Add(("pool", AvgPool2d(stride, stride, ceil_mode: true)));
            if (inCh != outCh) sc.Add(("proj", MnasNetwork.ConvBnAct(inCh, outCh, 1, 1, 1, act: false)));
            shortcut = Sequential(sc);
        }
        RegisterComponents();
    }

    /// <summary>SE bottleneck width: the layer's input width times the ratio (as in MnasNet / EfficientNet).</summary>
    internal static int SeReducedChannels(MnasBlock block, int inCh) => Math.Max(1, (int)(inCh * block.SeRatio));

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = body.call(x);
        if (se is not null) y = se.call(y);
        if (project is not null) y = project.call(y);
        if (residual) y = y + (shortcut is null ? x : shortcut.call(x));
        return y.MoveToOuterDisposeScope();
    }
}

/// <summary>Squeeze-and-excitation: channel gates from globally pooled features.</summary>
internal sealed class SqueezeExcitation : Module<Tensor, Tensor>
{
    private readonly Conv2d reduce;
    private readonly Conv2d expand;

    public SqueezeExcitation(int channels, int reduced) : base("SqueezeExcitation")
    {
        reduce = Conv2d(channels, reduced, 1);
        expand = Conv2d(reduced, channels, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var s = x.mean([2, 3], keepdim: true);
        s = functional.relu(reduce.call(s));
        s = functional.sigmoid(expand.call(s));
        return (x * s).MoveToOuterDisposeScope();
    }
}
