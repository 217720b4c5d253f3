using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Export;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Pipeline;

/// <summary>
/// The last step of a search, shared by the CLI's loop and the platform's jobs: the selected
/// architecture is retrained on the whole training part and evaluated once on the test part.
/// </summary>
public static class FinalTraining
{
    /// <summary>The search's training template at full length on all the training data: the final recipe.</summary>
    public static TrainingOptions Recipe(SearchOptions options, long seed) =>
        options.Training with { Epochs = options.FinalEpochs, DataFraction = 1.0, Seed = seed };

    public static FinalModel Run(DatasetBundle data, SearchOptions options, SearchComponents components, Candidate best, Trainer trainer,
        Action<EpochReport>? onEpoch, CancellationToken ct, IRemoteLatency? remote = null)
    {
        long seed = TrialEvaluator.TrialSeed(options.Seed, best.Hash);
        var network = best.Build(seed);
        try
        {
            TrainingResult training;
            Evaluation test;
            TorchRuntime.DeviceLock.Wait(ct);
            try
            {
                training = trainer.Train(network, best.Task, data.Train, null, Recipe(options, seed), onEpoch, ct);
                // The only time the test part is used.
                test = trainer.Evaluate(network, best.Task, data.Test, options.Training.BatchSize);
            }
            finally
            {
                TorchRuntime.DeviceLock.Release();
            }
            // The reported latency gets twice the timed runs of a trial's.
            var latency = new LatencyMeter(trainer.Device, options.Latency with { TimedRuns = options.Latency.TimedRuns * 2 }, remote)
                .Measure(best, network, ct);
            var score = components.Objective.Score(new ObjectiveInput(test.Metric, latency.MedianMs, best.Cost, best.Graph));
            var budget = LatencyBudget.Check(new LatencyTarget(options.LatencyBudgetMs, options.Constraint), latency.MedianMs);
            var onnx = OnnxExport.TryExport(best, network);
            return new FinalModel(test, latency, score, training.History, training.Seconds, network, training.Recipe, budget, onnx,
                PyTorchExport.TrySource(best));
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
