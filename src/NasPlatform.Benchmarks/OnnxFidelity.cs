using NasPlatform.Engine.Common;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Export;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using static TorchSharp.torch;

namespace NasPlatform.Benchmarks;

/// <summary>
/// How close the ONNX export is to TorchSharp over every space: for each, its two corners and random
/// samples on 1x28x28 and 3x32x32 inputs, batch norms moved off their initial statistics by a few
/// training-mode passes, exported and run by ONNX Runtime on 32 random inputs; prints the largest
/// absolute output difference per space and overall (the export's tolerance is 1e-4).
/// </summary>
public static class OnnxFidelity
{
    public static void Run(int samples)
    {
        var catalog = SearchCatalog.BuiltIn;
        double overall = 0;
        int count = 0;
        foreach (var definition in catalog.Spaces.All)
        {
            double worst = 0;
            int models = 0;
            foreach (var input in new[] { new FeatureShape(1, 28, 28), new FeatureShape(3, 32, 32) })
            {
                var space = definition.Create(new SpaceInput(input, new TaskOutput(10)), null);
                var random = new SeededRandom(11);
                var d = space.Decisions.Decisions;
                var archs = new List<IArchitecture> { space.Decode(d.Select(_ => 0).ToArray()), space.Decode(d.Select(x => x.Cardinality - 1).ToArray()) };
                for (int i = 0; i < samples; i++) archs.Add(space.Decode(d.Select(x => random.Next(x.Cardinality)).ToArray()));
                foreach (var arch in archs)
                {
                    var candidate = new Candidate(arch, space.Graph(arch), catalog.TaskFor(definition));
                    using var net = candidate.Build(1);
                    using (var scope = NewDisposeScope())
                    using (no_grad())
                    {
                        net.train();
                        for (int i = 0; i < 3; i++) net.call(randn(8, input.Channels, input.Height, input.Width) * 2 + 0.5);
                        net.eval();
                    }
                    var check = OnnxExport.Export(candidate, net).Check!;
                    worst = Math.Max(worst, check.MaxAbsDiff);
                    models++;
                }
            }
            Console.WriteLine($"space {definition.Name}: {models} architectures, largest |ONNX Runtime - TorchSharp| {worst:G3}");
            overall = Math.Max(overall, worst);
            count += models;
        }
        Console.WriteLine($"all spaces: {count} architectures, largest difference {overall:G3} (tolerance {OnnxExport.Tolerance:G1})");
    }
}
