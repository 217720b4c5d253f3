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
/// Repeatability of a latency figure, old method beside new in the same run: each model is measured
/// <c>repeats</c> times with the direct method (lowest round median of the model alone) and as many
/// times with the relative method (interleaved with the reference network), alternating, and the
/// spread (max - min) / mean of each series is printed. Goal for the relative method: <= 3%.
/// </summary>
public static class LatencyStability
{
    public static void Run(FeatureShape input, int models, int repeats, LatencyOptions latency)
    {
        var catalog = SearchCatalog.BuiltIn;
        var task = catalog.Tasks.Get("classification");
        var direct = new LatencyMeter(CPU, latency with { Method = LatencyMethod.Direct });
        var relative = new LatencyMeter(CPU, latency with { Method = LatencyMethod.Relative });
        var random = new SeededRandom(3);
        var spreads = new List<(double Direct, double Relative)>();
        foreach (var spaceName in new[] { "resnet", "mnasnet-small", "shufflenetv2" })
        {
            var space = catalog.Spaces.Get(spaceName).Create(new SpaceInput(input, new TaskOutput(10)), null);
            var d = space.Decisions.Decisions;
            for (int k = 0; k < models; k++)
            {
                var architecture = space.Decode(d.Select(x => random.Next(x.Cardinality)).ToArray());
                var candidate = new Candidate(architecture, space.Graph(architecture), task);
                using var net = candidate.Build(1);
                var old = new List<double>();
                var now = new List<LatencyStats>();
                for (int r = 0; r < repeats; r++)
                {
                    old.Add(direct.Measure(net, input).MedianMs);
                    now.Add(relative.Measure(net, input));
                }
                double so = Spread(old), sn = Spread(now.Select(s => s.MedianMs).ToList());
                spreads.Add((so, sn));
                Console.WriteLine($"{spaceName} #{k + 1} ({candidate.Cost.Parameters:N0} params): direct [{string.Join(", ", old.Select(m => m.ToString("0.000")))}] ms, spread {so:P1}; " +
                                  $"relative [{string.Join(", ", now.Select(m => m.MedianMs.ToString("0.000")))}] ms, spread {sn:P1} (reference {now[^1].ReferenceMs:0.000} ms)");
            }
        }
        Console.WriteLine($"latency: {repeats} measurements per model, {latency.WarmupRuns} warm-up + {latency.TimedRuns} timed runs, batch {latency.BatchSize}, {latency.Threads} thread; " +
                          $"median spread direct {Median(spreads.Select(s => s.Direct)):P1}, relative {Median(spreads.Select(s => s.Relative)):P1} (goal <= 3%); " +
                          $"worst direct {spreads.Max(s => s.Direct):P1}, relative {spreads.Max(s => s.Relative):P1}");
    }

    private static double Spread(IReadOnlyCollection<double> v) => (v.Max() - v.Min()) / v.Average();

    private static double Median(IEnumerable<double> v)
    {
        var a = v.Order().ToArray();
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }
}
