using NasPlatform.Engine.Components;
using NasPlatform.Engine.Export;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Zoo;
using static TorchSharp.torch;

namespace NasPlatform.Benchmarks;

/// <summary>
/// What the deployed form of a network costs beside the eager one: batch-1 latency of every classification zoo member
/// in TorchSharp with batch norm separate, in TorchSharp with batch norm folded into the convolutions (the meter's
/// default), and in ONNX Runtime on the exported graph (all optimizations, sequential, same threads).
/// </summary>
public static class Runtimes
{
    public static void Run(FeatureShape input, LatencyOptions latency)
    {
        var catalog = SearchCatalog.BuiltIn;
        var task = catalog.Tasks.Get("classification");
        var separate = new LatencyMeter(CPU, latency with { FoldBatchNorm = false });
        var folded = new LatencyMeter(CPU, latency with { FoldBatchNorm = true });
        Console.WriteLine($"{"member",-18} {"params",9} {"MACs",10} {"bn separate",12} {"bn folded",10} {"onnxruntime",12}");
        foreach (var m in BaselineZoo.Members(catalog, new SpaceInput(input, new TaskOutput(10)), "classification"))
        {
            var candidate = new Candidate(m.Architecture, m.Space.Graph(m.Architecture), task);
            using var net = candidate.Build(1);
            double a = separate.Measure(net, input).MedianMs, b = folded.Measure(net, input).MedianMs;
            net.eval();
            double c = OnnxRuntimeTimer.Measure(OnnxExport.Write(candidate, net), input, latency).MedianMs;
            Console.WriteLine($"{m.Name,-18} {candidate.Cost.Parameters,9:N0} {candidate.Cost.MultiplyAdds,10:N0} {a,9:0.000} ms {b,7:0.000} ms {c,9:0.000} ms");
        }
    }
}
