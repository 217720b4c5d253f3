using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Training;
using static TorchSharp.torch;

namespace NasPlatform.Engine.OneShot;

/// <summary>
/// One epoch of bilevel training, as DARTS and Auto-DeepLab run it: batches of the weights' half and of the
/// architecture's half in lock step (both prefetched and augmented like any training, without random erasing),
/// an architecture step on each pair (after the warm-up), then a weight step.
/// </summary>
public static class BilevelEpoch
{
    /// <summary>
    /// Epoch <paramref name="epoch"/> of a one-shot run: the weights' learning rate on its cosine schedule, architecture steps
    /// after <paramref name="warmupEpochs"/>, then the supernet (seen through <paramref name="supernet"/> at the current
    /// architecture) scored on the validation split. Returns the step's values for pages and logs, and the validation metric.
    /// </summary>
    public static (Dictionary<string, double> Values, double ValidationMetric) Step(string method, BilevelOptimizer optimizer, nn.Module<Tensor, Tensor> supernet,
        OneShotContext context, BilevelSettings settings, ImageDataset weightsHalf, ImageDataset alphaHalf, int epoch, int epochs, int warmupEpochs, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var o = context.Options;
        double lr = settings.LearningRate(epoch, epochs);
        supernet.train();
        var (loss, trainMetric) = Run(optimizer, context.Task, weightsHalf, alphaHalf, o, epoch, epoch > warmupEpochs, lr, context.Trainer.Device, ct);
        if (!double.IsFinite(loss)) throw new TrainingDivergedException($"The {method} supernet diverged: the loss became {loss} in epoch {epoch}.");
        var evaluation = context.ValidationSplit.Count > 0 ? context.Trainer.Evaluate(supernet, context.Task, context.ValidationSplit, o.Training.BatchSize) : null;
        var values = new Dictionary<string, double>
        {
            ["trainLoss"] = loss,
            ["trainMetric"] = trainMetric,
            ["learningRate"] = lr,
            ["seconds"] = clock.Elapsed.TotalSeconds,
        };
        if (evaluation is not null)
        {
            values["validationMetric"] = evaluation.Metric;
            values["validationLoss"] = evaluation.Loss;
        }
        return (values, evaluation?.Metric ?? 0);
    }

    /// <returns>The mean training loss and the task's primary metric on the weights' half (a NaN loss when it diverged).</returns>
    public static (double Loss, double Metric) Run(BilevelOptimizer optimizer, ITask task, ImageDataset weightsHalf, ImageDataset alphaHalf,
        SearchOptions o, int epoch, bool stepArchitecture, double learningRate, Device device, CancellationToken ct)
    {
        var augment = o.Training.Augmentation with { ErasingProbability = 0 };
        int batch = o.Training.BatchSize;
        var weightBatches = BatchPipeline.Start(weightsHalf, batch, true, augment, o.Seed, epoch, o.Training.PrefetchBatches, ct);
        var alphaBatches = BatchPipeline.Start(alphaHalf, batch, true, augment, o.Seed + 7919, epoch, o.Training.PrefetchBatches, ct);
        var metrics = task.NewMetrics(weightsHalf.Shape.Image);
        double lossSum = 0;
        long seen = 0;
        HostBatch? lastAlphaBatch = null;
        while (Next(weightBatches, ct) is { } w)
        {
            ct.ThrowIfCancellationRequested();
            // The architecture's half may be one batch shorter: its last batch is used again.
            var a = Next(alphaBatches, ct) ?? lastAlphaBatch ?? w;
            lastAlphaBatch = a;
            using var scope = NewDisposeScope();
            var (x, y) = (Images(w, weightsHalf, device), task.Targets(w, device));
            var (vx, vy) = (Images(a, weightsHalf, device), task.Targets(a, device));
            if (stepArchitecture) optimizer.StepArchitecture(x, y, vx, vy, learningRate);
            var (loss, output) = optimizer.StepWeights(x, y, learningRate);
            if (!double.IsFinite(loss)) return (loss, 0);
            lossSum += loss * w.Count;
            seen += w.Count;
            using (no_grad()) metrics.Add(output, y);
        }
        return (lossSum / Math.Max(1, seen), metrics.Result()[task.PrimaryMetric]);
    }

    private static HostBatch? Next(System.Threading.Channels.ChannelReader<HostBatch> reader, CancellationToken ct)
    {
        while (true)
        {
            if (reader.TryRead(out var batch)) return batch;
            if (!reader.WaitToReadAsync(ct).AsTask().GetAwaiter().GetResult()) return null;
        }
    }

    private static Tensor Images(HostBatch b, ImageDataset shape, Device device) =>
        tensor(b.Images, [b.Count, shape.Channels, shape.Height, shape.Width]).to(device);
}
