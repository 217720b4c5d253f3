using static TorchSharp.torch;

namespace NasPlatform.Engine.Ops;

/// <summary>The shape of a feature map (per image): channels x height x width.</summary>
public readonly record struct FeatureShape(int Channels, int Height, int Width)
{
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}

/// <summary>Trainable parameters and multiply-adds per image (inference) of a part of a network.</summary>
public readonly record struct OpCost(long Parameters, long MultiplyAdds)
{
    public static OpCost operator +(OpCost a, OpCost b) => new(a.Parameters + b.Parameters, a.MultiplyAdds + b.MultiplyAdds);
}

/// <summary>
/// One op of a network as plain data. The same value builds the TorchSharp module and counts its
/// cost, so the two can never drift apart; it also writes its ONNX nodes and keys the latency table.
/// Spaces describe networks as trees of ops; they never build modules or count by hand.
/// </summary>
public interface IOp
{
    /// <summary>Registry kind, e.g. "conv_bn", "se", "block" (the latency-table key's prefix).</summary>
    string Kind { get; }

    FeatureShape Output(FeatureShape input);

    /// <summary>Parameters and multiply-adds on an input of this shape. Batch norm and element-wise ops
    /// add parameters but no multiply-adds (the usual convention).</summary>
    OpCost Cost(FeatureShape input);

    nn.Module<Tensor, Tensor> Build();

    /// <summary>Writes the ONNX nodes of this op reading <paramref name="input"/> (of shape <paramref name="shape"/>),
    /// with the weights of the module <see cref="Build"/> makes found under <paramref name="prefix"/>; returns the output's name.</summary>
    string Emit(Export.OnnxGraph g, string prefix, string input, FeatureShape shape);
}

/// <summary>Shape arithmetic shared by the ops.</summary>
public static class OpShapes
{
    /// <summary>Output size of a convolution with "same" padding (kernel / 2).</summary>
    public static int ConvOut(int size, int kernel, int stride) => (size + 2 * (kernel / 2) - kernel) / stride + 1;

    /// <summary>Output size of a ceil-mode pooling window of size = stride.</summary>
    public static int PoolOut(int size, int stride) => (size + stride - 1) / stride;
}
