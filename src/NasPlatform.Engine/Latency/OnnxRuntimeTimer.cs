using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Torch;

namespace NasPlatform.Engine.Latency;

/// <summary>Which runtime a candidate's latency is measured in.</summary>
public enum LatencyRuntime
{
    /// <summary>TorchSharp's eager execution, the network the worker trains (batch norm folded by default).</summary>
    TorchSharp,

    /// <summary>
    /// ONNX Runtime on this worker, running the exported graph (model.onnx, the form users deploy) with all graph
    /// optimizations. Eager TorchSharp pays a dispatch per op that the deployed graph does not: on this 2-core host the
    /// zoo's members ran 1.6-7x faster here (the benchmarks' runtimes verb).
    /// </summary>
    OnnxRuntime,
}

/// <summary>
/// Batch latency of an exported graph in ONNX Runtime on this worker: fixed intra-op threads (pinned when one),
/// sequential execution, warm-up until stable, then the lowest round median, as the edge agent measures a device.
/// Holds <see cref="TorchRuntime.DeviceLock"/> so no training shares the cores meanwhile.
/// </summary>
public static class OnnxRuntimeTimer
{
    public const string Device = "onnxruntime:cpu";

    public static LatencyStats Measure(byte[] model, FeatureShape input, LatencyOptions options, CancellationToken ct = default)
    {
        options.Validate();
        TorchRuntime.DeviceLock.Wait(ct);
        try
        {
            using var pinned = options.Threads == 1 ? ThreadPinning.ToCurrentCore() : null;
            using var sessionOptions = new SessionOptions
            {
                IntraOpNumThreads = options.Threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            using var session = new InferenceSession(model, sessionOptions);
            var random = new Random(1);
            var data = new float[options.BatchSize * input.Channels * input.Height * input.Width];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
            using var value = OrtValue.CreateTensorValueFromMemory(data, [options.BatchSize, input.Channels, input.Height, input.Width]);
            using var run = new RunOptions();
            string[] inputNames = [session.InputNames[0]], outputNames = [.. session.OutputNames];
            OrtValue[] inputs = [value];
            double Time()
            {
                long start = Stopwatch.GetTimestamp();
                using (session.Run(run, inputNames, inputs, outputNames)) { }
                return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            for (int i = 0; i < options.WarmupRuns; i++) Time();
            LatencyMeter.WarmUntilStable(Time, ct);
            var times = new double[options.TimedRuns];
            for (int i = 0; i < times.Length; i++)
            {
                ct.ThrowIfCancellationRequested();
                times[i] = Time();
            }
            return LatencyMeter.Summarize(times, options, Device);
        }
        finally
        {
            TorchRuntime.DeviceLock.Release();
        }
    }
}
