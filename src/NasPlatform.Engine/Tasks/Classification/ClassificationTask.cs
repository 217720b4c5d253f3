using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Training;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Tasks.Classification;

/// <summary>One class per image: global average pooling and a linear classifier, cross-entropy with label smoothing, accuracy.</summary>
public sealed class ClassificationTask : ITask
{
    public const string TaskName = "classification";
    public const string Accuracy = "accuracy";

    public string Name => TaskName;

    public string Description => "One label per image; networks end in global average pooling and a linear classifier; ranked by accuracy.";

    public string PrimaryMetric => Accuracy;

    public string OutputDescription =>
        "N x K scores (logits), one per class in the order of the dataset's class names; the prediction is the highest score (softmax gives probabilities).";

    public TaskOutput OutputOf(DataShape data) => new(data.Classes);

    public nn.Module<Tensor, Tensor> BuildNetwork(ArchitectureGraph graph) =>
        new ClassificationNetwork(graph.Backbone.Build(), graph.Features.Channels, graph.Output.Classes);

    public OpCost HeadCost(ArchitectureGraph graph)
    {
        long weights = (long)graph.Features.Channels * graph.Output.Classes;
        return new OpCost(weights + graph.Output.Classes, weights);
    }

    public (string Output, long Size) EmitHead(Export.OnnxGraph g, ArchitectureGraph graph, string features)
    {
        var pooled = g.Node("GlobalAveragePool", "pool", [features]);
        var flat = g.Node("Flatten", "flatten", [pooled], Export.OnnxGraph.Int("axis", 1));
        // Linear: x W^T + b, with W as TorchSharp stores it (classes x channels).
        var logits = g.Node("Gemm", "classifier", [flat, g.Weight("classifier.weight"), g.Weight("classifier.bias")], Export.OnnxGraph.Int("transB", 1));
        return (logits, graph.Output.Classes);
    }

    public Tensor Targets(HostBatch batch, Device device) => tensor(batch.Labels).to(device);

    public Tensor Loss(Tensor output, Tensor targets, double labelSmoothing) =>
        nn.functional.cross_entropy(output, targets, label_smoothing: labelSmoothing);

    public IMetricAccumulator NewMetrics(FeatureShape image) => new AccuracyAccumulator();

    private sealed class AccuracyAccumulator : IMetricAccumulator
    {
        private long _correct, _seen;

        public void Add(Tensor output, Tensor targets)
        {
            using var hits = output.argmax(1).eq(targets).sum();
            _correct += hits.item<long>();
            _seen += targets.shape[0];
        }

        public IReadOnlyDictionary<string, double> Result() =>
            new Dictionary<string, double> { [Accuracy] = _seen == 0 ? 0 : (double)_correct / _seen };
    }
}

/// <summary>
/// Backbone, global average pooling, linear classifier. The submodules are named "features" and
/// "classifier", the state-dict names of every model the platform has saved.
/// </summary>
public sealed class ClassificationNetwork : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> features;
    private readonly TorchSharp.Modules.Linear classifier;

    public ClassificationNetwork(nn.Module<Tensor, Tensor> backbone, int featureChannels, int classes) : base("ClassificationNetwork")
    {
        features = backbone;
        classifier = nn.Linear(featureChannels, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var f = features.call(input);
        using var pooled = f.mean([2, 3]);
        return classifier.call(pooled);
    }
}
