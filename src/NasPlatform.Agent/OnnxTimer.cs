using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace NasPlatform.Agent;

/// <summary>What the platform asks to be timed (see the platform's AgentJob).</summary>
public sealed record JobSpec(Guid Id, string ModelUrl, int BatchSize, int Channels, int Height, int Width, int WarmupRuns, int TimedRuns, int Rounds,
    int Threads, DateTimeOffset LeasedUntil, int Attempt);

/// <summary>The figures sent back (milliseconds per batch).</summary>
public sealed record Measurement(double MedianMs, double MeanMs, double MinMs, double MaxMs, double P10Ms, double P90Ms, int Runs, int Threads,
    double RoundSpread, string Runtime);

/// <summary>
/// Batch latency of an ONNX model in ONNX Runtime on this device: fixed intra-op threads, sequential
/// execution, warm-up runs, then timed runs in consecutive rounds. The figure is the lowest round
/// median, as the platform's direct method: other work on the device can only slow a round down.
/// </summary>
public static class OnnxTimer
{
    public static Measurement Measure(byte[] model, JobSpec job, int threadsOverride)
    {
        int threads = threadsOverride > 0 ? threadsOverride : Math.Max(1, job.Threads);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(model, options);
        string inputName = session.InputMetadata.Keys.First();
        var random = new Random(1);
        var data = new float[job.BatchSize * job.Channels * job.Height * job.Width];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 2 - 1);
        var tensor = new DenseTensor<float>(data, [job.BatchSize, job.Channels, job.Height, job.Width]);
        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(inputName, tensor) };

        for (int i = 0; i < job.WarmupRuns; i++) Run(session, inputs);
        int rounds = Math.Clamp(job.Rounds, 1, Math.Max(1, job.TimedRuns / 3));
        int perRound = Math.Max(3, job.TimedRuns / rounds);
        var times = new double[rounds * perRound];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            Run(session, inputs);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        var medians = Enumerable.Range(0, rounds).Select(r => Median(times.AsSpan(r * perRound, perRound))).Order().ToArray();
        var sorted = times.Order().ToArray();
        double median = medians[0];
        return new Measurement(median, sorted.Average(), sorted[0], sorted[^1], Percentile(sorted, 0.1), Percentile(sorted, 0.9), times.Length, threads,
            (Percentile(medians, 0.9) - Percentile(medians, 0.1)) / median, $"onnxruntime {OrtEnv.Instance().GetVersionString()}");
    }

    private static void Run(InferenceSession session, List<NamedOnnxValue> inputs)
    {
        using var outputs = session.Run(inputs);
    }

    private static double Median(ReadOnlySpan<double> values)
    {
        var copy = values.ToArray();
        Array.Sort(copy);
        return Percentile(copy, 0.5);
    }

    private static double Percentile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
