using NasPlatform.Engine.Export;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasPlatform.Engine.Ops.Cells;

/// <summary>
/// ReLU (optional), a convolution with "same" padding for its dilation (no bias), batch norm (optional):
/// DARTS's ReLUConvBN and the halves of its separable and dilated convs. <see cref="Affine"/> off is
/// the supernet's batch norm (DARTS searches without learned scales, so alpha alone weighs the ops).
/// The ReLU is not in place: in a supernet one input feeds every op of an edge.
/// </summary>
public sealed record PreActConv(int In, int Out, int Kernel, int Stride = 1, int Dilation = 1, int Groups = 1, bool Relu = true, bool Bn = true,
    bool Affine = true) : IOp
{
    public string Kind => "preact_conv";

    private int Padding => Dilation * (Kernel - 1) / 2;

    private int Size(int size) => (size + 2 * Padding - Dilation * (Kernel - 1) - 1) / Stride + 1;

    public FeatureShape Output(FeatureShape input) => new(Out, Size(input.Height), Size(input.Width));

    public OpCost Cost(FeatureShape input)
    {
        var o = Output(input);
        long weights = (long)Out * (In / Groups) * Kernel * Kernel;
        return new OpCost(weights + (Bn && Affine ? 2L * Out : 0), weights * o.Height * o.Width);
    }

    public Module<Tensor, Tensor> Build()
    {
        var modules = new List<(string, Module<Tensor, Tensor>)>();
        if (Relu) modules.Add(("act", ReLU()));
        modules.Add(("conv", Conv2d(In, Out, Kernel, stride: Stride, padding: Padding, dilation: Dilation, groups: Groups, bias: false)));
        if (Bn) modules.Add(("bn", new StableBatchNorm2d(Out, Affine)));
        return Sequential(modules);
    }

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape)
    {
        string Name(string part) => OnnxGraph.Join(prefix, part);
        var y = Relu ? g.Node("Relu", Name("act"), [input]) : input;
        y = g.Node("Conv", Name("conv"), [y, g.Weight(Name("conv.weight"))],
            OnnxGraph.Ints("kernel_shape", Kernel, Kernel), OnnxGraph.Ints("strides", Stride, Stride),
            OnnxGraph.Ints("pads", Padding, Padding, Padding, Padding), OnnxGraph.Ints("dilations", Dilation, Dilation), OnnxGraph.Int("group", Groups));
        return Bn ? CellOnnx.BatchNorm(g, Name("bn"), y, Out, Affine) : y;
    }
}

/// <summary>3 x 3 max or average pooling with padding 1; the average counts only pixels inside the image (DARTS's count_include_pad=False).</summary>
public sealed record Pool3(bool Max, int Stride) : IOp
{
    public string Kind => Max ? "max_pool3" : "avg_pool3";

    public FeatureShape Output(FeatureShape input) =>
        input with { Height = OpShapes.ConvOut(input.Height, 3, Stride), Width = OpShapes.ConvOut(input.Width, 3, Stride) };

    public OpCost Cost(FeatureShape input) => default;

    public Module<Tensor, Tensor> Build() =>
        Max ? MaxPool2d(3, Stride, 1) : AvgPool2d(3, Stride, 1, count_include_pad: false);

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape)
    {
        var attributes = new List<Onnx.AttributeProto>
        {
            OnnxGraph.Ints("kernel_shape", 3, 3), OnnxGraph.Ints("strides", Stride, Stride), OnnxGraph.Ints("pads", 1, 1, 1, 1),
        };
        if (!Max) attributes.Add(OnnxGraph.Int("count_include_pad", 0));
        return g.Node(Max ? "MaxPool" : "AveragePool", OnnxGraph.Join(prefix, Kind), [input], [.. attributes]);
    }
}

/// <summary>The input unchanged (DARTS's skip_connect at stride 1).</summary>
public sealed record Identity : IOp
{
    public string Kind => "identity";

    public FeatureShape Output(FeatureShape input) => input;

    public OpCost Cost(FeatureShape input) => default;

    public Module<Tensor, Tensor> Build() => nn.Identity();

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape) => input;
}

/// <summary>
/// Halves the resolution without losing every other pixel (DARTS's FactorizedReduce): ReLU, two 1 x 1
/// stride-2 convs to half the output width each, one on the input and one on the input shifted by one
/// pixel, concatenated, batch norm. The shifted half is zero-padded at the far edge, so odd sizes work
/// too (both halves then give ceil(n / 2) rows, as every stride-2 op here does).
/// </summary>
public sealed record FactorizedReduce(int In, int Out, bool Affine = true) : IOp
{
    public string Kind => "factorized_reduce";

    public FeatureShape Output(FeatureShape input) => new(Out, (input.Height + 1) / 2, (input.Width + 1) / 2);

    public OpCost Cost(FeatureShape input)
    {
        var o = Output(input);
        long weights = (long)In * (Out / 2) * 2;
        return new OpCost(weights + (Affine ? 2L * Out : 0), weights * o.Height * o.Width);
    }

    public Module<Tensor, Tensor> Build()
    {
        if (Out % 2 != 0) throw new ArgumentException($"FactorizedReduce concatenates two equal halves: {Out} channels is not even.");
        return new FactorizedReduceModule(this);
    }

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape)
    {
        string Name(string part) => OnnxGraph.Join(prefix, part);
        var x = g.Node("Relu", Name("act"), [input]);
        var a = g.Node("Conv", Name("conv_1"), [x, g.Weight(Name("conv_1.weight"))], OnnxGraph.ConvAttributes(1, 2, 1));
        var shifted = g.Node("Slice", Name("shift"), [x, g.Int64s(Name("shift.starts"), 1, 1), g.Int64s(Name("shift.ends"), long.MaxValue, long.MaxValue),
            g.Int64s(Name("shift.axes"), 2, 3)]);
        // Pads are [top, left, bottom, right]: one zero row and column after the shifted map.
        var b = g.Node("Conv", Name("conv_2"), [shifted, g.Weight(Name("conv_2.weight"))],
            OnnxGraph.Ints("kernel_shape", 1, 1), OnnxGraph.Ints("strides", 2, 2), OnnxGraph.Ints("pads", 0, 0, 1, 1));
        var y = g.Node("Concat", Name("concat"), [a, b], OnnxGraph.Int("axis", 1));
        return CellOnnx.BatchNorm(g, Name("bn"), y, Out, Affine);
    }

    private sealed class FactorizedReduceModule : Module<Tensor, Tensor>
    {
        // Field names are the state-dict names.
        private readonly TorchSharp.Modules.Conv2d conv_1;
        private readonly TorchSharp.Modules.Conv2d conv_2;
        private readonly StableBatchNorm2d bn;

        public FactorizedReduceModule(FactorizedReduce spec) : base("FactorizedReduce")
        {
            conv_1 = Conv2d(spec.In, spec.Out / 2, 1, stride: 2, bias: false);
            conv_2 = Conv2d(spec.In, spec.Out / 2, 1, stride: 2, bias: false);
            bn = new StableBatchNorm2d(spec.Out, spec.Affine);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            x = functional.relu(x);
            var shifted = functional.pad(x[.., .., 1.., 1..], [0, 1, 0, 1]);
            return bn.call(cat([conv_1.call(x), conv_2.call(shifted)], 1)).MoveToOuterDisposeScope();
        }
    }
}

/// <summary>ONNX nodes shared by the cell ops.</summary>
internal static class CellOnnx
{
    /// <summary>Eval-mode batch norm; without learned scales, ones and zeros stand in for them.</summary>
    public static string BatchNorm(OnnxGraph g, string name, string input, int channels, bool affine)
    {
        string W(string part) => g.Weight(OnnxGraph.Join(name, part));
        var scale = affine ? W("weight") : g.Floats(OnnxGraph.Join(name, "ones"), Enumerable.Repeat(1f, channels).ToArray());
        var bias = affine ? W("bias") : g.Floats(OnnxGraph.Join(name, "zeros"), new float[channels]);
        return g.Node("BatchNormalization", name, [input, scale, bias, W("running_mean"), W("running_var")], OnnxGraph.Float("epsilon", 1e-5f));
    }
}
