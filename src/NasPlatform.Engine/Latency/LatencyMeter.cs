using System.Diagnostics;
using NasPlatform.Engine.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Latency;

/// <summary>How a latency figure is taken.</summary>
public enum LatencyMethod
{
    /// <summary>The model alone: the lowest round median of its timed runs.</summary>
    Direct,

    /// <summary>
    /// The model interleaved run by run with a fixed reference network in the same rounds; the figure is
    /// the median over rounds of (model / reference) times the reference's calibrated idle time. A busy
    /// neighbour or a slower clock slows both alike, so the ratio holds where the raw time does not.
    /// </summary>
    Relative,
}

public sealed record LatencyOptions
{
    public int BatchSize { get; init; } = 1;
    public int WarmupRuns { get; init; } = 20;
    public int TimedRuns { get; init; } = 200;

    /// <summary>
    /// The timed runs are split into this many consecutive rounds. Direct: the lowest round median is
    /// reported, since other processes can only slow a round down (MnasNet measured on an otherwise idle
    /// phone). Relative: each round gives one model/reference ratio and their median is used.
    /// </summary>
    public int Rounds { get; init; } = 10;

    /// <summary>Intra-op threads while measuring; fixed so that numbers are comparable between trials.</summary>
    public int Threads { get; init; } = 1;

    public LatencyMethod Method { get; init; } = LatencyMethod.Relative;

    /// <summary>The runtime candidates are measured in (per-layer tables and references always use TorchSharp: they calibrate the predictor).</summary>
    public LatencyRuntime Runtime { get; init; } = LatencyRuntime.TorchSharp;

    /// <summary>Batch norm folded into its convolution while measuring, as the deployed model runs (see <see cref="Ops.IFusable"/>).</summary>
    public bool FoldBatchNorm { get; init; } = true;

    public void Validate()
    {
        if (BatchSize < 1 || WarmupRuns < 0 || TimedRuns < 3 || Threads < 1 || Rounds < 1)
            throw new ArgumentException("Latency measurement needs batch >= 1, warm-up >= 0, at least 3 timed runs, >= 1 round and >= 1 thread.");
    }
}

/// <summary>
/// Measured inference latency in milliseconds: <see cref="MedianMs"/> is the figure used everywhere (see
/// <see cref="LatencyMethod"/>); the other figures cover all timed runs (with the relative method, scaled
/// to the reference's idle time). <see cref="RoundSpread"/> is (P90 - P10) / median of the per-round
/// figures: how far the rounds of this one measurement disagreed.
/// </summary>
public sealed record LatencyStats(double MedianMs, double MeanMs, double MinMs, double MaxMs, double P10Ms, double P90Ms, int Runs, int BatchSize, int Threads, string Device,
    string Method = "direct", double ReferenceMs = 0, double RoundSpread = 0)
{
    /// <summary>(P90 - P10) / median: the relative spread of one measurement.</summary>
    public double RelativeSpread => MedianMs > 0 ? (P90Ms - P10Ms) / MedianMs : 0;
}

/// <summary>
/// Measures latency on the device itself (MnasNet measures on the phone rather than estimating
/// from FLOPs): the network in evaluation mode, a fixed-size input, warm-up runs, then timed runs.
/// Holds <see cref="TorchRuntime.DeviceLock"/> so no training runs on the same cores meanwhile.
/// </summary>
public sealed class LatencyMeter(Device device, LatencyOptions? options = null, IRemoteLatency? remote = null)
{
    public LatencyOptions Options { get; } = options ?? new LatencyOptions();

    public Device Device => device;

    /// <summary>Set when the search's latency device is not this worker: candidates are then measured there (see <see cref="Measure(Pipeline.Candidate, nn.Module{Tensor, Tensor}, CancellationToken)"/>).</summary>
    public IRemoteLatency? Remote => remote;

    /// <summary>The same meter (device, remote) with other options.</summary>
    public LatencyMeter With(LatencyOptions other) => new(device, other, remote);

    /// <summary>
    /// A candidate's latency on the search's latency device: on the remote device as ONNX when there is one,
    /// else here, in the runtime the options name. Per-layer tables and references always measure here (they calibrate this worker).
    /// </summary>
    public LatencyStats Measure(Pipeline.Candidate candidate, nn.Module<Tensor, Tensor> network, CancellationToken ct = default)
    {
        if (remote is null && Options.Runtime == LatencyRuntime.TorchSharp) return Measure(network, candidate.Graph.Input, ct);
        network.eval();
        var onnx = Export.OnnxExport.Write(candidate, network);
        return remote is null
            ? OnnxRuntimeTimer.Measure(onnx, candidate.Graph.Input, Options, ct)
            : remote.Measure(onnx, candidate.Graph.Input, Options, ct);
    }

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
            using var pinned = Options.Threads == 1 && device.type == DeviceType.CPU ? ThreadPinning.ToCurrentCore() : null;
            model.to(device);
            model.eval();
            using var noGrad = no_grad();
            using var folded = Options.FoldBatchNorm ? Ops.InferenceFusion.Fold(model) : null;
            using var input = randn([Options.BatchSize, channels, height, width], device: device);
            if (Options.Method == LatencyMethod.Direct)
            {
                Warm(model, input, Options.WarmupRuns);
                WarmUntilStable(() => Time(model, input), ct);
                var times = new double[Options.TimedRuns];
                for (int i = 0; i < times.Length; i++)
                {
                    ct.ThrowIfCancellationRequested();
                    times[i] = Time(model, input);
                }
                return Summarize(times, Options, device.ToString());
            }
            var reference = ReferenceNetwork.For(device, channels, height, width, Options, r => Calibrate(r, input));
            return Relative(model, reference, input, ct);
        }
        finally
        {
            torch.set_num_threads(previousThreads);
            TorchRuntime.DeviceLock.Release();
        }
    }

    private LatencyStats Relative(nn.Module<Tensor, Tensor> model, ReferenceNetwork reference, Tensor input, CancellationToken ct)
    {
        int rounds = Math.Clamp(Options.Rounds, 1, Math.Max(1, Options.TimedRuns / 3));
        int perRound = Math.Max(3, Options.TimedRuns / rounds);
        for (int i = 0; i < Options.WarmupRuns; i++)
        {
            using (var a = reference.Module.call(input)) { }
            using (var b = model.call(input)) { }
        }
        Synchronize();
        WarmUntilStable(() => Time(reference.Module, input) + Time(model, input), ct);
        int n = rounds * perRound;
        var own = new double[n];
        var theirs = new double[n];
        var pairRatios = new double[n];
        var roundRatios = new double[rounds];
        var referenceMedians = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            ct.ThrowIfCancellationRequested();
            for (int i = r * perRound; i < (r + 1) * perRound; i++)
            {
                // Run by run, so that a slow spell of the host hits both alike; who goes first alternates,
                // so neither always runs on caches the other just left.
                if (i % 2 == 0) { theirs[i] = Time(reference.Module, input); own[i] = Time(model, input); }
                else { own[i] = Time(model, input); theirs[i] = Time(reference.Module, input); }
                pairRatios[i] = own[i] / theirs[i];
            }
            referenceMedians[r] = Median(theirs.AsSpan(r * perRound, perRound));
            roundRatios[r] = Median(pairRatios.AsSpan(r * perRound, perRound));
        }
        reference.Observe(referenceMedians);
        double ratio = Median(pairRatios);
        double scale = reference.CalibratedMs / Median(theirs);
        var sorted = own.Select(t => t * scale).Order().ToArray();
        var sortedRatios = roundRatios.Order().ToArray();
        return new LatencyStats(ratio * reference.CalibratedMs, sorted.Average(), sorted[0], sorted[^1], Percentile(sorted, 0.1), Percentile(sorted, 0.9),
            n, Options.BatchSize, Options.Threads, device.ToString(), "relative", reference.CalibratedMs,
            (Percentile(sortedRatios, 0.9) - Percentile(sortedRatios, 0.1)) / ratio);
    }

    /// <summary>The reference's first measurement in this process: round medians of a long run.</summary>
    private double[] Calibrate(nn.Module<Tensor, Tensor> reference, Tensor input)
    {
        Warm(reference, input, ReferenceNetwork.CalibrationWarmup);
        var medians = new double[ReferenceNetwork.CalibrationRounds];
        var round = new double[ReferenceNetwork.CalibrationRunsPerRound];
        for (int r = 0; r < medians.Length; r++)
        {
            for (int i = 0; i < round.Length; i++) round[i] = Time(reference, input);
            medians[r] = Median(round);
        }
        return medians;
    }

    /// <summary>Runs per block of the settling warm-up, the agreement two consecutive block medians must reach, and the most blocks run.</summary>
    internal const int SettleBlock = 10, SettleMaxBlocks = 20;
    internal const double SettleTolerance = 0.02;

    /// <summary>
    /// Keeps warming up in blocks until two consecutive block medians agree within 2% (at most 20 blocks). After a fixed
    /// 20 runs, the first measurement of a freshly built network still ran 10-40% slower than the next four on this host
    /// (allocator growth, primitive caches), the main source of the spread between repeated measurements.
    /// Returns the runs made.
    /// </summary>
    internal static int WarmUntilStable(Func<double> run, CancellationToken ct = default)
    {
        var block = new double[SettleBlock];
        double previous = double.NaN;
        for (int b = 0; b < SettleMaxBlocks; b++)
        {
            ct.ThrowIfCancellationRequested();
            for (int i = 0; i < block.Length; i++) block[i] = run();
            double median = Median(block);
            if (Math.Abs(median - previous) <= SettleTolerance * median) return (b + 1) * SettleBlock;
            previous = median;
        }
        return SettleMaxBlocks * SettleBlock;
    }

    private void Warm(nn.Module<Tensor, Tensor> model, Tensor input, int runs)
    {
        for (int i = 0; i < runs; i++)
        {
            using var _ = model.call(input);
        }
        Synchronize();
    }

    private double Time(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        long start = Stopwatch.GetTimestamp();
        using (var output = model.call(input)) { Synchronize(); }
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
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
        var medians = Enumerable.Range(0, rounds)
            .Select(r => Median(times.AsSpan(r * perRound, r == rounds - 1 ? times.Length - r * perRound : perRound)))
            .Order().ToArray();
        double median = medians[0];
        return new LatencyStats(median, sorted.Average(), sorted[0], sorted[^1],
            Percentile(sorted, 0.1), Percentile(sorted, 0.9), sorted.Length, o.BatchSize, o.Threads, device,
            "direct", 0, (Percentile(medians, 0.9) - Percentile(medians, 0.1)) / median);
    }

    internal static double Median(ReadOnlySpan<double> values)
    {
        var copy = values.ToArray();
        Array.Sort(copy);
        return Percentile(copy, 0.5);
    }

    internal static double Percentile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
