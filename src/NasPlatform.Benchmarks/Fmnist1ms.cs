using System.Diagnostics;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Training;
using NasPlatform.Engine.Zoo;

namespace NasPlatform.Benchmarks;

/// <summary>
/// The product's promise, measured: a search on the full Fashion-MNIST under a hard 1.0 ms batch-1
/// budget on this CPU, the searched model retrained with the final recipe, and every zoo member at
/// or under the budget trained with the same recipe, so the figures say whether the search beats
/// hand-designed networks. Prints the figures and writes result.json like the CLI.
/// </summary>
public static class Fmnist1ms
{
    public sealed record Settings(string Data, string Out, string Space, string Strategy, double LatencyMs, double SearchMinutes, int FinalEpochs,
        int Threads, long Seed, bool Baselines, LatencyRuntime Runtime = LatencyRuntime.TorchSharp, double? TotalMinutes = null);

    /// <summary>The full run (2 hours for search + final training) or the quick one (about 30 minutes) for iteration.</summary>
    public static Settings Defaults(bool quick, string data) => quick
        ? new(data, "runs/fmnist-1ms-quick", "resnet", "evolution", 1.0, 12, 4, Environment.ProcessorCount, 1, Baselines: false, TotalMinutes: 30)
        // 45 minutes of search: past ~50 trials the search gains less than 20 more final epochs do. The final training
        // takes what fits of 60 epochs in the rest of the issue's 2 hours.
        : new(data, "runs/fmnist-1ms", "resnet", "evolution", 1.0, 45, 60, Environment.ProcessorCount, 1, Baselines: true, TotalMinutes: 120);

    public static void Run(Settings s)
    {
        var clock = Stopwatch.StartNew();
        var bundle = DatasetLoader.Load(s.Data, null, new ImageFolderOptions());
        var options = TrainingDefaults.Apply(new SearchOptions
        {
            LatencyBudgetMs = s.LatencyMs,
            Constraint = LatencyConstraint.Hard,
            Space = s.Space,
            Strategy = s.Strategy,
            MaxTrials = 10_000,
            MaxMinutes = s.SearchMinutes,
            MaxTotalMinutes = s.TotalMinutes,
            Seed = s.Seed,
            Threads = s.Threads,
            Baselines = s.Baselines,
            Latency = new LatencyOptions { Runtime = s.Runtime },
            // Mirrored garments keep their class.
            Training = new TrainingOptions { HorizontalFlip = true, ErasingProbability = SearchOptions.DefaultErasing },
        }, TrainingDefaults.For(bundle.Train.Count, SearchOptions.DefaultValidationFraction, new FidelityRequest(FinalEpochs: s.FinalEpochs)));
        Console.WriteLine($"fmnist-1ms: {bundle.Train.Count} train / {bundle.Test.Count} test images, space {s.Space}, strategy {s.Strategy}, " +
                          $"hard budget {s.LatencyMs} ms in {s.Runtime}, {s.SearchMinutes} min of search, final training {s.FinalEpochs} epochs, {s.Threads} threads");
        double searchEnd = 0, finalEnd = 0;
        var result = new SearchRunner(bundle, options, e =>
        {
            switch (e)
            {
                case TrialFinished f:
                    var t = f.Record;
                    Console.WriteLine(t.Failed
                        ? $"  trial {t.Trial}: {t.Error}"
                        : $"  trial {t.Trial}: val {t.ValidationMetric:P2}, {t.LatencyMs:0.###} ms (predicted {t.PredictedLatencyMs:0.###}), {t.Seconds:0} s");
                    break;
                case FinalTrainingStarted started:
                    searchEnd = clock.Elapsed.TotalMinutes;
                    foreach (var c in started.Finalists ?? [])
                        Console.WriteLine($"  finalist trial {c.Trial}: {c.TrialLatencyMs:0.###} ms in its trial, {c.RemeasuredMs:0.###} ms measured again, {(c.WithinBudget ? "within" : "over")} budget");
                    if (started.Shortened is { } why) Console.WriteLine($"  {why}");
                    Console.WriteLine($"  selected trial {started.Best.Trial}: val {started.Best.ValidationMetric:P2}, {started.Best.LatencyMs:0.###} ms, " +
                                      $"{started.Best.ArchitectureJson}");
                    break;
                case EpochFinished { Trial: 0 } ep:
                    Console.WriteLine($"  final epoch {ep.Report.Epoch}/{ep.Report.Epochs}: train {ep.Report.TrainMetric:P2}, {ep.Report.Seconds:0} s");
                    break;
                case FinalTrainingFinished done:
                    finalEnd = clock.Elapsed.TotalMinutes;
                    // Printed before the zoo starts, so a run stopped during the zoo still has its main figure.
                    Console.WriteLine($"  final model: test {done.Final.Test.Metric:P2}, {done.Final.Latency.MedianMs:0.###} ms, budget {done.Final.Budget.Outcome}, " +
                                      $"after {finalEnd:0.0} min");
                    break;
                case BaselineFinished b:
                    Console.WriteLine($"  baseline {b.Result.Name}: {b.Result.Status} {b.Result.Test?.Metric:P2} {b.Result.Latency?.MedianMs:0.###} ms {b.Result.Reason}");
                    break;
            }
        }).Run();
        if (finalEnd == 0) finalEnd = clock.Elapsed.TotalMinutes;
        ResultWriter.Write(s.Out, result, new DatasetSummary(Path.GetFullPath(s.Data), bundle.Format, bundle.Train.Count, bundle.Test.Count,
            bundle.Train.Channels, bundle.Train.Height, bundle.Train.Width, bundle.Train.ClassNames));
        var f = result.Final;
        int trained = result.Trials.Count(t => !t.Failed), skipped = result.Trials.Count(t => t.Skipped);
        Console.WriteLine();
        Console.WriteLine($"searched model: test accuracy {f.Test.Metric:P2}, latency {f.Latency.MedianMs:0.###} ms (p10 {f.Latency.P10Ms:0.###}, " +
                          $"p90 {f.Latency.P90Ms:0.###}), {result.Selected.Parameters:N0} params, budget: {f.Budget.Outcome}");
        OtherRuntimes(options, bundle, result.Selected.ArchitectureJson);
        Console.WriteLine($"trials: {result.Trials.Count} ({trained} trained, {skipped} skipped by the latency predictor, " +
                          $"predictor within 10%: {result.Predictor?.HeldOutWithin10Percent:P0})");
        Console.WriteLine($"wall time: search {searchEnd:0.0} min, final training {finalEnd - searchEnd:0.0} min, " +
                          $"search + final {finalEnd:0.0} min, baselines {clock.Elapsed.TotalMinutes - finalEnd:0.0} min, total {clock.Elapsed.TotalMinutes:0.0} min");
        foreach (var b in result.Baselines)
        {
            string verdict = b.Status != BaselineResult.Trained ? b.Status
                : b.DominatedBy(f.Test.Metric, f.Latency.MedianMs) ? "dominated by the searched model" : "NOT dominated";
            Console.WriteLine($"  {b.Name,-18} {(b.Test is { } test ? test.Metric.ToString("P2") : "-"),8} {(b.Latency is { } l ? $"{l.MedianMs:0.###} ms" : "-"),10}  {verdict}");
        }
        Console.WriteLine($"wrote {Path.Combine(s.Out, ResultWriter.ResultFile)}");
    }

    /// <summary>The selected architecture's latency in every runtime, so a figure in one is never read as a figure in another.</summary>
    private static void OtherRuntimes(SearchOptions options, DatasetBundle bundle, string architectureJson)
    {
        var candidate = SearchComponents.Resolve(Engine.Components.SearchCatalog.BuiltIn, options, bundle.Train.Shape).Parse(architectureJson);
        using var net = candidate.Build(1);
        foreach (var (name, latency) in new[]
                 {
                     ("torchsharp, batch norm separate", options.Latency with { Runtime = LatencyRuntime.TorchSharp, FoldBatchNorm = false }),
                     ("torchsharp, batch norm folded", options.Latency with { Runtime = LatencyRuntime.TorchSharp }),
                     ("onnxruntime", options.Latency with { Runtime = LatencyRuntime.OnnxRuntime }),
                 })
            Console.WriteLine($"  selected architecture in {name}: {new LatencyMeter(TorchSharp.torch.CPU, latency).Measure(candidate, net).MedianMs:0.###} ms");
    }
}
