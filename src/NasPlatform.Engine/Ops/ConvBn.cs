using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasPlatform.Engine.Ops;

/// <summary>
/// Convolution (no bias, "same" padding), batch norm, optional ReLU. Groups = In gives a depthwise conv.
/// <paramref name="ZeroInit"/> starts the batch norm's scale at zero, so a residual branch ending here
/// starts as the identity (Goyal et al.; TResNet).
/// </summary>
public sealed record ConvBn(int In, int Out, int Kernel, int Stride = 1, int Groups = 1, bool Act = true, bool ZeroInit = false) : IOp
{
    public string Kind => "conv_bn";

    public FeatureShape Output(FeatureShape input) =>
        new(Out, OpShapes.ConvOut(input.Height, Kernel, Stride), OpShapes.ConvOut(input.Width, Kernel, Stride));

    public OpCost Cost(FeatureShape input)
    {
        var o = Output(input);
        long weights = (long)Out * (In / Groups) * Kernel * Kernel;
        return new OpCost(weights + 2L * Out, weights * o.Height * o.Width);
    }

    public Module<Tensor, Tensor> Build()
    {
        var modules = new List<(string, Module<Tensor, Tensor>)>
        {
            ("conv", Conv2d(In, Out, Kernel, stride: Stride, padding: Kernel / 2, groups: Groups, bias: false)),
            ("bn", BatchNorm2d(Out)),
        };
        if (ZeroInit)
            using (no_grad()) ((TorchSharp.Modules.BatchNorm2d)modules[1].Item2).weight!.zero_();
        if (Act) modules.Add(("act", ReLU(inplace: true)));
        return Sequential(modules);
    }
}

/// <summary>Average pooling with window = stride (ceil mode), as in TResNet's down-sampling shortcut.</summary>
public sealed record AvgPool(int Stride) : IOp
{
    public string Kind => "avg_pool";

    public FeatureShape Output(FeatureShape input) =>
        input with { Height = OpShapes.PoolOut(input.Height, Stride), Width = OpShapes.PoolOut(input.Width, Stride) };

    public OpCost Cost(FeatureShape input) => default;

    public Module<Tensor, Tensor> Build() => AvgPool2d(Stride, Stride, ceil_mode: true);
}

/// <summary>Max pooling with "same" padding (kernel / 2), as in the 224-px stems of ResNet and ShuffleNet.</summary>
public sealed record MaxPool(int Kernel, int Stride) : IOp
{
    public string Kind => "max_pool";

    public FeatureShape Output(FeatureShape input) =>
        input with { Height = OpShapes.ConvOut(input.Height, Kernel, Stride), Width = OpShapes.ConvOut(input.Width, Kernel, Stride) };

    public OpCost Cost(FeatureShape input) => default;

    public Module<Tensor, Tensor> Build() => MaxPool2d(Kernel, Stride, Kernel / 2);
}

/// <summary>SpaceToDepth (TResNet's stem): each 2 x 2 (Block x Block) patch becomes channels, so resolution drops without losing information.</summary>
public sealed record SpaceToDepth(int Block) : IOp
{
    public string Kind => "space_to_depth";

    public FeatureShape Output(FeatureShape input) =>
        new(input.Channels * Block * Block, input.Height / Block, input.Width / Block);

    public OpCost Cost(FeatureShape input) => default;

    public Module<Tensor, Tensor> Build() => PixelUnshuffle(Block);
}
