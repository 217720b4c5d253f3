using NasPlatform.Engine.Common;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using static TorchSharp.torch;

namespace NasPlatform.Benchmarks;

/// <summary>
/// The latency range each registered space covers on this device: batch-1 latency of its smallest and
/// largest corners and of random samples, for an input shape (28x28x1 by default). A space meant for a
/// 1 ms budget must reach well below 1 ms.
/// </summary>
public static class SpaceLatency
{
    public static void Run(FeatureShape input, int classes, int samples, LatencyOptions latency)
    {
        var catalog = SearchCatalog.BuiltIn;
        var meter = new LatencyMeter(CPU, latency);
        foreach (var definition in catalog.Spaces.All)
        {
            var space = definition.Create(new SpaceInput(input, new TaskOutput(classes)), null);
            var random = new SeededRandom(1);
            var d = space.Decisions.Decisions;
            var archs = new List<IArchitecture> { space.Decode(d.Select(_ => 0).ToArray()), space.Decode(d.Select(x => x.Cardinality - 1).ToArray()) };
            for (int i = 0; i < samples; i++) archs.Add(space.Decode(d.Select(x => random.Next(x.Cardinality)).ToArray()));
            var measured = archs.Select(a =>
            {
                var candidate = new Candidate(a, space.Graph(a), catalog.TaskFor(definition));
                using var net = candidate.Build(1);
                return (Ms: meter.Measure(net, input).MedianMs, candidate.Cost.Parameters);
            }).OrderBy(m => m.Ms).ToList();
            Console.WriteLine($"space {definition.Name} on {input}: {measured.Count} architectures, batch-1 latency min {measured[0].Ms:0.000} ms " +
                              $"({measured[0].Parameters:N0} params), median {measured[measured.Count / 2].Ms:0.000} ms, max {measured[^1].Ms:0.000} ms " +
                              $"({measured[^1].Parameters:N0} params); share under 1 ms {measured.Count(m => m.Ms <= 1.0) * 100.0 / measured.Count:0}%");
        }
    }
}
