using System.Diagnostics;
using NasPlatform.Engine.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Latency;

public sealed record LatencyOptions
{
    public int BatchSize { get; init; } = 1;
    public int WarmupRuns { get; init; } = 20;
    public int TimedRuns { get; init; } = 100;

    /// <summary>
    /// The timed runs are split into this many consecutive rounds and the lowest round median is
    /// reported: other processes on the machine can only slow a round down, so the fastest round
    /// is the best estimate of the model's own latency on an idle device (as MnasNet measured on an
    /// otherwise idle phone).
    /// </summary>
    public int Rounds { get; init; } = 10;

    /// <summary>Intra-op threads while measuring; fixed so that numbers are comparable between trials.</summary>
    public int Threads { get; init; } = 1;

    public void Validate()
    {
        if (BatchSize < 1 || WarmupRuns < 0 || TimedRuns < 3 || Threads < 1 || Rounds < 1)
            throw new ArgumentException("Latency measurement needs batch >= 1, warm-up >= 0, at least 3 timed runs, >= 1 round and >= 1 thread.");
    }
}

/// <summary>
/// Measured inference latency in milliseconds: <see cref="MedianMs"/> is the lowest round median
/// (see <see cref="LatencyOptions.Rounds"/>); the other figures cover all timed runs.
/// </summary>
public sealed record LatencyStats(double MedianMs, double MeanMs, double MinMs, double MaxMs, double P10Ms, double P90Ms, int Runs, int BatchSize, int Threads, string Device)
{
    /// <summary>(P90 - P10) / median: the relative spread of one measurement.</summary>
    public double RelativeSpread => MedianMs > 0 ? (P90Ms - P10Ms) / MedianMs : 0;
}

/// <summary>
/// Measures latency on the device itself (MnasNet measures on the phone rather than estimating
/// from FLOPs): the network in evaluation mode, a fixed-size input, warm-up runs, then timed runs.
/// Holds <see cref="TorchRuntime.DeviceLock"/> so no training runs on the same cores meanwhile.
/// </summary>
public sealed class LatencyMeter(Device device, LatencyOptions? options = null)
{
    public LatencyOptions Options { get; } = options ?? new LatencyOptions();

    public Device Device => device;

    public LatencyStats Measure(nn.Module<Tensor, Tensor> model, Ops.FeatureShape input, CancellationToken ct = default) =>
        Measure(model, input.Channels, input.Height, input.Width, ct);

    public LatencyStats Measure(nn.Module<Tensor, Tensor> model, int channels, int height, int width, CancellationToken ct = default)
    {
        Options.Validate();
        TorchRuntime.EnsureLoaded();
        TorchRuntime.DeviceLock.Wait(ct);
        int previousThreads = torch.get_num_threads();
        try
        {
            torch.set_num_threads(Options.Threads);
            model.to(device);
            model.eval();
            using var noGrad = no_grad();
            using var input = randn([Options.BatchSize, channels, height, width], device: device);
            for (int i = 0; i < Options.WarmupRuns; i++)
            {
                using var _ = model.call(input);
            }
            Synchronize();
            var times = new double[Options.TimedRuns];
            for (int i = 0; i < times.Length; i++)
            {
                ct.ThrowIfCancellationRequested();
                long start = Stopwatch.GetTimestamp();
                using (var output = model.call(input)) { Synchronize(); }
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            return Summarize(times, Options, device.ToString());
        }
        finally
        {
            torch.set_num_threads(previousThreads);
            TorchRuntime.DeviceLock.Release();
        }
    }

    /// <summary>Waits for queued GPU work, so a timing covers the kernels and not only their launch.</summary>
    private void Synchronize()
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }

    internal static LatencyStats Summarize(double[] times, LatencyOptions o, string device)
    {
        var sorted = times.OrderBy(t => t).ToArray();
        int rounds = Math.Clamp(o.Rounds, 1, Math.Max(1, times.Length / 3));
        int perRound = times.Length / rounds;
        double median = Enumerable.Range(0, rounds)
            .Select(r => Percentile(times.Skip(r * perRound).Take(r == rounds - 1 ? times.Length - r * perRound : perRound).Order().ToArray(), 0.5))
            .Min();
        return new LatencyStats(median, sorted.Average(), sorted[0], sorted[^1],
            Percentile(sorted, 0.1), Percentile(sorted, 0.9), sorted.Length, o.BatchSize, o.Threads, device);
    }

    internal static double Percentile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
