using NasPlatform.Engine.Export;
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

    public Module<Tensor, Tensor> Build() => new ConvBnModule(this);

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape)
    {
        string W(string name) => g.Weight(OnnxGraph.Join(prefix, name));
        var y = g.Node("Conv", OnnxGraph.Join(prefix, "conv"), [input, W("conv.weight")], OnnxGraph.ConvAttributes(Kernel, Stride, Groups));
        // Eval-mode batch norm with the running statistics; TorchSharp's default epsilon.
        y = g.Node("BatchNormalization", OnnxGraph.Join(prefix, "bn"), [y, W("bn.weight"), W("bn.bias"), W("bn.running_mean"), W("bn.running_var")],
            OnnxGraph.Float("epsilon", 1e-5f));
        return Act ? g.Node("Relu", OnnxGraph.Join(prefix, "act"), [y]) : y;
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

    // Windows past the edge average only the pixels inside, in both (count_include_pad = 0).
    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape) =>
        g.Node("AveragePool", OnnxGraph.Join(prefix, "avg_pool"), [input],
            OnnxGraph.Ints("kernel_shape", Stride, Stride), OnnxGraph.Ints("strides", Stride, Stride), OnnxGraph.Int("ceil_mode", 1));
}

/// <summary>Max pooling with "same" padding (kernel / 2), as in the 224-px stems of ResNet and ShuffleNet.</summary>
public sealed record MaxPool(int Kernel, int Stride) : IOp
{
    public string Kind => "max_pool";

    public FeatureShape Output(FeatureShape input) =>
        input with { Height = OpShapes.ConvOut(input.Height, Kernel, Stride), Width = OpShapes.ConvOut(input.Width, Kernel, Stride) };

    public OpCost Cost(FeatureShape input) => default;

    public Module<Tensor, Tensor> Build() => MaxPool2d(Kernel, Stride, Kernel / 2);

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape) =>
        g.Node("MaxPool", OnnxGraph.Join(prefix, "max_pool"), [input], OnnxGraph.Ints("kernel_shape", Kernel, Kernel),
            OnnxGraph.Ints("strides", Stride, Stride), OnnxGraph.Ints("pads", Kernel / 2, Kernel / 2, Kernel / 2, Kernel / 2));
}

/// <summary>SpaceToDepth (TResNet's stem): each 2 x 2 (Block x Block) patch becomes channels, so resolution drops without losing information.</summary>
public sealed record SpaceToDepth(int Block) : IOp
{
    public string Kind => "space_to_depth";

    public FeatureShape Output(FeatureShape input) =>
        new(input.Channels * Block * Block, input.Height / Block, input.Width / Block);

    public OpCost Cost(FeatureShape input) => default;

    public Module<Tensor, Tensor> Build() => PixelUnshuffle(Block);

    /// <summary>ONNX's SpaceToDepth orders the new channels (row, column, channel); pixel_unshuffle orders
    /// them (channel, row, column), so the same permutation is spelled out with reshapes.</summary>
    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape)
    {
        var o = Output(shape);
        var name = OnnxGraph.Join(prefix, "space_to_depth");
        var split = g.Node("Reshape", name, [input, g.Int64s(name + ".split", 0, shape.Channels, o.Height, Block, o.Width, Block)]);
        var moved = g.Node("Transpose", name, [split], OnnxGraph.Ints("perm", 0, 1, 3, 5, 2, 4));
        return g.Node("Reshape", name, [moved, g.Int64s(name + ".shape", 0, o.Channels, o.Height, o.Width)]);
    }
}
