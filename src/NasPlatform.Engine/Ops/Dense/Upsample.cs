using NasPlatform.Engine.Export;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace NasPlatform.Engine.Ops.Dense;

/// <summary>Bilinear resizing to a fixed size (align_corners off, as DeepLab and Auto-DeepLab resize between levels).</summary>
public sealed record Upsample(int Height, int Width) : IOp
{
    public string Kind => "upsample";

    public FeatureShape Output(FeatureShape input) => input with { Height = Height, Width = Width };

    public OpCost Cost(FeatureShape input) => default;

    public Module<Tensor, Tensor> Build() => new UpsampleModule(Height, Width);

    public string Emit(OnnxGraph g, string prefix, string input, FeatureShape shape) => Resize(g, OnnxGraph.Join(prefix, "upsample"), input, Height, Width);

    /// <summary>ONNX's Resize to N x C x <paramref name="height"/> x <paramref name="width"/>, N and C read at run time (PyTorch's bilinear is
    /// ONNX's linear with pytorch_half_pixel coordinates).</summary>
    /// <param name="nearest">PyTorch's "nearest" instead (source index floor(i x in / out): ONNX's asymmetric coordinates, floor rounding).</param>
    public static string Resize(OnnxGraph g, string name, string input, int height, int width, bool nearest = false)
    {
        var shape = g.Node("Shape", name + "_shape", [input]);
        var batchAndChannels = g.Node("Slice", name + "_nc", [shape, g.Int64s("starts", 0), g.Int64s("ends", 2)]);
        var sizes = g.Node("Concat", name + "_size", [batchAndChannels, g.Int64s("hw", height, width)], OnnxGraph.Int("axis", 0));
        return nearest
            ? g.Node("Resize", name, [input, "", "", sizes], OnnxGraph.String("mode", "nearest"),
                OnnxGraph.String("coordinate_transformation_mode", "asymmetric"), OnnxGraph.String("nearest_mode", "floor"))
            : g.Node("Resize", name, [input, "", "", sizes], OnnxGraph.String("mode", "linear"),
                OnnxGraph.String("coordinate_transformation_mode", "pytorch_half_pixel"));
    }

    private sealed class UpsampleModule(int height, int width) : Module<Tensor, Tensor>("Upsample")
    {
        public override Tensor forward(Tensor x) =>
            functional.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
    }
}
