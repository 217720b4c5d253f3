using NasPlatform.Engine.Components;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Training;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Tasks;

/// <summary>What a network must produce for a task (classification: one score per class).</summary>
public sealed record TaskOutput(int Classes);

/// <summary>
/// A learning task (classification now; segmentation and detection next): its targets, loss,
/// metrics and head. The trainer, the estimators and the model cards go through it, so no shared
/// code path assumes one label per image, cross-entropy or accuracy.
/// </summary>
public interface ITask : IRegistered
{
    /// <summary>The metric searches rank by and pages show first, e.g. "accuracy" (higher is better).</summary>
    string PrimaryMetric { get; }

    /// <summary>What a trained network outputs, for model cards (how to read a prediction).</summary>
    string OutputDescription { get; }

    TaskOutput OutputOf(DataShape data);

    /// <summary>The full network: the space's backbone with this task's head.</summary>
    nn.Module<Tensor, Tensor> BuildNetwork(ArchitectureGraph graph);

    OpCost HeadCost(ArchitectureGraph graph);

    /// <summary>Writes the head's ONNX nodes after the backbone's output <paramref name="features"/>; returns the
    /// network's output and its size per image.</summary>
    (string Output, long Size) EmitHead(Export.OnnxGraph g, ArchitectureGraph graph, string features);

    /// <summary>The ONNX output's shape per image (after the free batch dimension): one vector of <paramref name="size"/> unless the task's output has more axes.</summary>
    long[] OutputDims(ArchitectureGraph graph, long size) => [size];

    /// <summary>The batch's targets as a tensor on the device.</summary>
    Tensor Targets(HostBatch batch, Device device);

    Tensor Loss(Tensor output, Tensor targets, double labelSmoothing);

    /// <summary>The training settings this task trains best with, from the search's (the identity unless the task's losses need another
    /// optimizer or augmentation); applied by the trainer, so the recipe recorded is the one used.</summary>
    TrainingOptions Recipe(TrainingOptions options) => options;

    /// <summary>A fresh accumulator of this task's metrics over batches.</summary>
    /// <param name="image">The evaluated images' shape (a detector's anchors depend on it).</param>
    IMetricAccumulator NewMetrics(FeatureShape image);
}

/// <summary>Adds up a task's metrics batch by batch (without keeping the outputs).</summary>
public interface IMetricAccumulator
{
    void Add(Tensor output, Tensor targets);

    /// <summary>Every metric by name; the task's primary metric among them.</summary>
    IReadOnlyDictionary<string, double> Result();
}
