using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Ops;

/// <summary>
/// 2-D batch normalization with PyTorch's parameters, buffers and state-dict names (weight, bias, running_mean,
/// running_var, num_batches_tracked), momentum 0.1 and epsilon 1e-5, like TorchSharp's BatchNorm2d. It exists because
/// TorchSharp 0.107's BatchNorm counts batches with <c>num_batches_tracked.add_(1)</c>, whose implicitly created
/// scalars are freed by the garbage collector's finalizer, sometimes while the native call still reads them (a
/// collection triggered by the data prefetcher's thread): a final training failed with "For integral input tensors,
/// argument alpha must not be a floating point number". The scalars here are static, so never finalized.
/// </summary>
public sealed class StableBatchNorm2d : nn.Module<Tensor, Tensor>
{
    private static readonly Scalar One = 1L.ToScalar();
    private const double Momentum = 0.1, Epsilon = 1e-5;

    // Field names are the state-dict names.
    private readonly Parameter? weight;
    private readonly Parameter? bias;
    private readonly Tensor running_mean;
    private readonly Tensor running_var;
    private readonly Tensor num_batches_tracked;

    public StableBatchNorm2d(long features, bool affine = true) : base("BatchNorm2d")
    {
        if (affine)
        {
            weight = new Parameter(ones(features));
            bias = new Parameter(zeros(features));
        }
        running_mean = zeros(features);
        running_var = ones(features);
        num_batches_tracked = tensor(0L);
        RegisterComponents();
    }

    /// <summary>The scale (null without affine parameters).</summary>
    public Parameter? Weight => weight;

    /// <summary>
    /// The evaluation-mode transform as a per-channel scale and shift (y = x * scale + shift), for folding into the
    /// convolution before it (<see cref="ConvBnModule"/>).
    /// </summary>
    internal (Tensor Scale, Tensor Shift) Affine()
    {
        using var noGrad = no_grad();
        var scale = (running_var + Epsilon).rsqrt_();
        if (weight is not null) scale.mul_(weight);
        var shift = running_mean.mul(scale).neg_();
        if (bias is not null) shift.add_(bias);
        return (scale, shift);
    }

    public override Tensor forward(Tensor input)
    {
        if (training)
            using (no_grad()) num_batches_tracked.add_(One, One);
        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, Momentum, Epsilon);
    }
}
