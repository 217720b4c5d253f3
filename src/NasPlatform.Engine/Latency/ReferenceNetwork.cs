using System.Collections.Concurrent;
using NasPlatform.Engine.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Latency;

/// <summary>
/// The fixed network a candidate is timed against (see <see cref="LatencyMethod.Relative"/>): a small plain
/// CNN with seeded weights, one per device, input shape, batch size and thread count in a process. Its
/// calibrated time is the lowest round median it has shown in this process: contention from other
/// processes only ever slows a round down, so the running minimum converges to the idle figure, and a
/// candidate's time is reported as (candidate / reference in the same rounds) x that figure.
/// </summary>
internal sealed class ReferenceNetwork
{
    private static readonly ConcurrentDictionary<string, ReferenceNetwork> Cache = new();

    /// <summary>Warm-up and rounds of the first calibration; generous because every later figure is scaled by it.</summary>
    internal const int CalibrationWarmup = 50, CalibrationRounds = 40, CalibrationRunsPerRound = 10;

    public nn.Module<Tensor, Tensor> Module { get; }

    public double CalibratedMs { get; private set; } = double.MaxValue;

    private ReferenceNetwork(nn.Module<Tensor, Tensor> module) => Module = module;

    /// <summary>The reference for this set-up; the caller holds <see cref="TorchRuntime.DeviceLock"/>.</summary>
    public static ReferenceNetwork For(Device device, int channels, int height, int width, LatencyOptions o, Func<nn.Module<Tensor, Tensor>, double[]> time)
    {
        string key = $"{device}|{channels}x{height}x{width}|b{o.BatchSize}|t{o.Threads}";
        if (Cache.TryGetValue(key, out var known)) return known;
        var module = TorchRuntime.Seeded(20260203, () => Build(channels));
        module.to(device);
        module.eval();
        var reference = new ReferenceNetwork(module);
        reference.Observe(time(module));
        return Cache.GetOrAdd(key, reference);
    }

    /// <summary>Takes in round medians of the reference measured now; keeps the lowest.</summary>
    public void Observe(IEnumerable<double> roundMedians)
    {
        foreach (var m in roundMedians) if (m > 0 && m < CalibratedMs) CalibratedMs = m;
    }

    /// <summary>
    /// Three 3x3 conv-BN-ReLU layers (16, 32, 64 channels, the last two with stride 2), global pooling and
    /// a linear layer: on 28x28 it runs in the same order of time as the small models searched under a
    /// 1 ms budget, and it uses the kernels (convolution, batch norm, pooling) candidates spend time in.
    /// </summary>
    private static nn.Module<Tensor, Tensor> Build(int channels) => nn.Sequential(
        nn.Conv2d(channels, 16, 3, padding: 1, bias: false), new Ops.StableBatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride: 2, padding: 1, bias: false), new Ops.StableBatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 64, 3, stride: 2, padding: 1, bias: false), new Ops.StableBatchNorm2d(64), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10));
}
