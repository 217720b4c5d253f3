using System.Diagnostics;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Training;

/// <summary>
/// Trains and evaluates a network for a task (the performance estimator's work): SGD with Nesterov
/// momentum or AdamW, per-step cosine schedule with warm-up, optional weight EMA, the task's loss (label smoothing where
/// it has one) and metrics, crop/flip augmentation from <see cref="BatchPipeline"/>, all seeded.
/// </summary>
public sealed class Trainer(Device device)
{
    public Device Device { get; } = device;

    public TrainingResult Train(nn.Module<Tensor, Tensor> model, ITask task, ImageDataset train, ImageDataset? validation,
        TrainingOptions options, Action<EpochReport>? onEpoch = null, CancellationToken ct = default)
    {
        options = task.Recipe(options);
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("There are no training images.");
        var total = Stopwatch.StartNew();
        model.to(Device);
        using var optimizer = CreateOptimizer(model, options);
        using var average = options.EmaDecay is { } decay ? new WeightAverage(model, decay) : null;
        int stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        long totalSteps = (long)stepsPerEpoch * options.Epochs;
        long warmup = Math.Min(stepsPerEpoch, totalSteps / 10);
        long step = 0;
        var history = new List<EpochReport>();
        double? lastValidation = null;

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            var epochClock = Stopwatch.StartNew();
            model.train();
            double lossSum = 0;
            long seen = 0;
            var metrics = task.NewMetrics(train.Shape.Image);
            var reader = BatchPipeline.Start(train, options.BatchSize, shuffle: true, options.Augmentation,
                options.Seed, epoch, options.PrefetchBatches, ct);
            while (reader.WaitToReadAsync(ct).AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var batch))
                {
                    ct.ThrowIfCancellationRequested();
                    SetLearningRate(optimizer, ScheduledRate(options.LearningRate, step++, warmup, totalSteps));
                    using var scope = NewDisposeScope();
                    var x = Images(batch, train);
                    var y = task.Targets(batch, Device);
                    var output = model.call(x);
                    var loss = task.Loss(output, y, options.LabelSmoothing);
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    average?.Update(step);
                    float lossValue = loss.item<float>();
                    // A diverged network only produces NaN from here on: stop now and say so.
                    if (!float.IsFinite(lossValue))
                        throw new TrainingDivergedException($"Training diverged: the loss became {lossValue} in epoch {epoch}, step {step}.");
                    lossSum += lossValue * batch.Count;
                    using (no_grad()) metrics.Add(output, y);
                    seen += batch.Count;
                }
            }
            // The averaged weights replace the trained ones before the last evaluation, so what is reported is what is kept.
            if (epoch == options.Epochs) average?.CopyToModel();
            double? valMetric = null, valLoss = null;
            if (validation is { Count: > 0 })
            {
                var eval = Evaluate(model, task, validation, options.BatchSize);
                (valMetric, valLoss) = (eval.Metric, eval.Loss);
                lastValidation = valMetric;
            }
            double seconds = epochClock.Elapsed.TotalSeconds;
            var report = new EpochReport(epoch, options.Epochs, lossSum / seen, metrics.Result()[task.PrimaryMetric], valMetric, valLoss, seconds, seen / seconds);
            history.Add(report);
            try
            {
                onEpoch?.Invoke(report);
            }
            catch (StopTrainingEarly)
            {
                break; // an early-stopping rule judged the curve: the metric so far is the result
            }
        }
        return new TrainingResult(history, lastValidation, total.Elapsed.TotalSeconds, TrainingRecipe.Of(options, train.Count, warmup, totalSteps));
    }

    /// <summary>The task's metrics and mean loss (no smoothing) on a dataset, in evaluation mode.</summary>
    public Evaluation Evaluate(nn.Module<Tensor, Tensor> model, ITask task, ImageDataset data, int batchSize = 256)
    {
        TorchRuntime.EnsureLoaded();
        model.to(Device);
        model.eval();
        var metrics = task.NewMetrics(data.Shape.Image);
        double lossSum = 0;
        using var noGrad = no_grad();
        var reader = BatchPipeline.Start(data, batchSize, shuffle: false, Augmentation.None, 0, 0, 4, CancellationToken.None);
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var batch))
            {
                using var scope = NewDisposeScope();
                var x = Images(batch, data);
                var y = task.Targets(batch, Device);
                var output = model.call(x);
                lossSum += task.Loss(output, y, 0).item<float>() * batch.Count;
                metrics.Add(output, y);
            }
        }
        var result = metrics.Result();
        return new Evaluation(result[task.PrimaryMetric], lossSum / data.Count, result);
    }

    private Tensor Images(HostBatch batch, ImageDataset shape) =>
        tensor(batch.Images, [batch.Count, shape.Channels, shape.Height, shape.Width]).to(Device);

    private static optim.Optimizer CreateOptimizer(nn.Module<Tensor, Tensor> model, TrainingOptions o) => o.Optimizer switch
    {
        OptimizerKind.Sgd => optim.SGD(model.parameters(), o.LearningRate, o.Momentum, weight_decay: o.WeightDecay, nesterov: true),
        OptimizerKind.AdamW => optim.AdamW(model.parameters(), o.LearningRate, weight_decay: o.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(o)),
    };

    /// <summary>Linear warm-up, then cosine decay to zero over the remaining steps.</summary>
    public static double ScheduledRate(double peak, long step, long warmup, long totalSteps)
    {
        if (step < warmup) return peak * (step + 1) / warmup;
        double progress = (double)(step - warmup) / Math.Max(1, totalSteps - warmup);
        return peak * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1.0, progress)));
    }

    private static void SetLearningRate(optim.Optimizer optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }
}

/// <summary>Thrown by an epoch observer to end the training after this epoch (early stopping).</summary>
public sealed class StopTrainingEarly : Exception;

/// <summary>The loss stopped being a finite number; the network cannot be trained further with these settings.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
