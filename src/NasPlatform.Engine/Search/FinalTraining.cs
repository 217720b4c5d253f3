using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objective;
using NasPlatform.Engine.SearchSpace;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Search;

/// <summary>
/// The last step of a search, shared by the CLI's loop and the platform's jobs: the selected
/// architecture is retrained on the whole training part and evaluated once on the test part.
/// </summary>
public static class FinalTraining
{
    /// <summary>Initialization/data-order seed of an architecture: the same architecture always trains the same way in a search.</summary>
    public static long TrialSeed(long searchSeed, MnasArchitecture arch) =>
        searchSeed * 31 + Convert.ToInt64(arch.Hash[..12], 16);

    public static FinalModel Run(DatasetBundle data, SearchOptions options, TrialRecord best, Trainer trainer,
        Action<EpochReport>? onEpoch, CancellationToken ct)
    {
        var all = data.Train;
        long seed = TrialSeed(options.Seed, best.Architecture);
        var network = TorchRuntime.Seeded(seed, () => new MnasNetwork(best.Architecture));
        try
        {
            TrainingResult training;
            (double Accuracy, double Loss) test;
            TorchRuntime.DeviceLock.Wait(ct);
            try
            {
                training = trainer.Train(network, all, null,
                    options.Training with { Epochs = options.FinalEpochs, DataFraction = 1.0, Seed = seed }, onEpoch, ct);
                // The only time the test part is used.
                test = trainer.Evaluate(network, data.Test, options.Training.BatchSize);
            }
            finally
            {
                TorchRuntime.DeviceLock.Release();
            }
            // The reported latency gets twice the timed runs of a trial's.
            var latency = new LatencyMeter(trainer.Device, options.Latency with { TimedRuns = options.Latency.TimedRuns * 2 })
                .Measure(network, all.Channels, all.Height, all.Width, ct);
            double reward = MnasReward.Compute(test.Accuracy, latency.MedianMs, options.LatencyBudgetMs, options.Constraint);
            return new FinalModel(best, test.Accuracy, test.Loss, latency, reward, training.History, training.Seconds, network);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }
}
