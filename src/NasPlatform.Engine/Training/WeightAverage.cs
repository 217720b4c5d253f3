using static TorchSharp.torch;

namespace NasPlatform.Engine.Training;

/// <summary>
/// An exponential moving average of a model's parameters, with batch-norm statistics copied as they
/// are. The decay ramps up as (1 + step) / (10 + step) early on, so the average does not keep the
/// random initial weights for thousands of steps when training is short.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    private readonly List<(Tensor Live, Tensor Average)> _parameters;
    private readonly double _decay;

    public WeightAverage(nn.Module<Tensor, Tensor> model, double decay)
    {
        _decay = decay;
        using var noGrad = no_grad();
        _parameters = model.parameters().Select(p => ((Tensor)p, p.detach().clone())).ToList();
    }

    public void Update(long step)
    {
        double d = Math.Min(_decay, (1.0 + step) / (10.0 + step));
        using var noGrad = no_grad();
        foreach (var (live, average) in _parameters) average.mul_(d).add_(live, alpha: 1 - d);
    }

    /// <summary>Writes the averaged weights into the model's parameters.</summary>
    public void CopyToModel()
    {
        using var noGrad = no_grad();
        foreach (var (live, average) in _parameters) live.copy_(average);
    }

    public void Dispose()
    {
        foreach (var (_, average) in _parameters) average.Dispose();
    }
}
