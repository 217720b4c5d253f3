using System.Diagnostics;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.OneShot;
using NasPlatform.Engine.OneShot.Darts;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Spaces.Darts;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using static TorchSharp.torch;

namespace NasPlatform.Benchmarks;

/// <summary>
/// What a DARTS search costs on this machine: seconds per supernet epoch (first and second order)
/// on a slice of the training set, against one epoch of training the derived child network on the
/// same images with the same batch size (DARTS's cost goal is counted in such child trainings), and
/// the process's peak resident memory after each.
/// </summary>
public static class DartsCost
{
    public static void Run(string dataPath, int images, int epochs, int cells, int channels, int batch, int threads, int partial, int[] orders)
    {
        TorchRuntime.Configure(threads);
        var bundle = DatasetLoader.Load(dataPath, null, null);
        var train = DataSplit.Fraction(bundle.Train, Math.Min(1.0, images / (double)bundle.Train.Count), 1);
        var (search, validation) = DataSplit.TrainValidation(train, 0.1, 1);
        var catalog = SearchCatalog.BuiltIn;
        var task = catalog.Tasks.Get("classification");
        var space = (DartsSearchSpace)new DartsDefinition().Create(new SpaceInput(train.Shape.Image, task.OutputOf(train.Shape)),
            System.Text.Json.JsonSerializer.SerializeToElement(new { cells, channels }));
        Console.WriteLine($"data: {search.Count} search images ({search.Count / 2} for weights, {search.Count - search.Count / 2} for alpha), {validation.Count} validation, "
                          + $"{cells} cells x {channels} channels, partial channels 1/{partial}, batch {batch}, {threads} threads; peak memory before: {PeakMb():F0} MB");
        IArchitecture? derived = null;
        var perEpoch = new Dictionary<int, double>();
        foreach (var order in orders)
        {
            var options = new SearchOptions
            {
                LatencyBudgetMs = 1, Space = space.Name, Strategy = DartsMethod.MethodName, ProxyEpochs = epochs, ProxyFraction = 1, Seed = 1,
                StrategyOptions = new StrategyOptions { DartsOrder = order, DartsPartialChannels = partial }, Training = new TrainingOptions { BatchSize = batch },
            };
            using var run = new DartsMethod().Start(new OneShotContext(space, task, search, validation, options, new Trainer(CPU)), null);
            var seconds = new List<double>();
            while (!run.Finished)
            {
                var clock = Stopwatch.StartNew();
                var step = run.Step(CancellationToken.None);
                seconds.Add(clock.Elapsed.TotalSeconds);
                Console.WriteLine($"order {order} epoch {step.Epoch}: {seconds[^1]:F1} s, train loss {step.Values["trainLoss"]:F3}, supernet validation accuracy {step.Values["validationMetric"]:P1}");
            }
            perEpoch[order] = seconds.Average();
            derived ??= run.Derive().Architecture;
            Console.WriteLine($"order {order}: {perEpoch[order]:F1} s per epoch; peak memory so far {PeakMb():F0} MB");
        }

        var candidate = new Candidate(derived!, space.Graph(derived!), task);
        using var child = candidate.Build(1);
        var childOptions = new TrainingOptions { Epochs = epochs, BatchSize = batch, LearningRate = 0.025, WeightDecay = 3e-4, LabelSmoothing = 0, CropPadding = 2 };
        var result = new Trainer(CPU).Train(child, task, search, null, childOptions);
        double childEpoch = result.Seconds / epochs;
        Console.WriteLine($"child ({derived!.Hash}, {candidate.Cost.Parameters:N0} parameters, {candidate.Cost.MultiplyAdds / 1e6:F1} M multiply-adds): {childEpoch:F1} s per epoch on all {search.Count} images");
        Console.WriteLine("DARTS cost per epoch as a multiple of the child's: " + string.Join(", ", perEpoch.Select(p => $"order {p.Key} {p.Value / childEpoch:F2}x"))
                          + $"; peak memory {PeakMb():F0} MB");
    }

    /// <summary>VmHWM: the most resident memory this process has had.</summary>
    private static double PeakMb()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }
}
