using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Training;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Tasks.Segmentation;

/// <summary>
/// One class per pixel: the backbone's features, a 1x1 convolution to one score per class, bilinear up-sampling to
/// the input's size (FCN's simplest head; Auto-DeepLab's ASPP head comes with its space); per-pixel cross-entropy
/// that skips unscored pixels (255); ranked by mIoU over the whole evaluated set.
/// </summary>
public sealed class SegmentationTask : ITask
{
    public const string TaskName = "segmentation";
    public const string MeanIoU = "miou", PixelAccuracy = "pixelAccuracy";

    public string Name => TaskName;

    public string Description => "One class per pixel (masks); networks end in a 1x1 convolution and bilinear up-sampling; ranked by mIoU.";

    public string PrimaryMetric => MeanIoU;

    public string OutputDescription =>
        "N x K x H x W scores (logits) per pixel, one per class in the order of classes.json; the prediction of a pixel is its highest score.";

    public TaskOutput OutputOf(DataShape data) => new(data.Classes);

    public nn.Module<Tensor, Tensor> BuildNetwork(ArchitectureGraph graph) =>
        new SegmentationNetwork(graph.Backbone.Build(), graph.Features.Channels, graph.Output.Classes);

    public OpCost HeadCost(ArchitectureGraph graph)
    {
        var f = graph.Features;
        long weights = (long)f.Channels * graph.Output.Classes;
        return new OpCost(weights + graph.Output.Classes, weights * f.Height * f.Width);
    }

    public (string Output, long Size) EmitHead(Export.OnnxGraph g, ArchitectureGraph graph, string features)
    {
        var scores = g.Node("Conv", "classifier", [features, g.Weight("classifier.weight"), g.Weight("classifier.bias")], Export.OnnxGraph.ConvAttributes(1, 1, 1));
        // Resize to N x K x H x W: N and K read from the scores at run time (N is free), H and W fixed by the input.
        var shape = g.Node("Shape", "scores_shape", [scores]);
        var batchAndClasses = g.Node("Slice", "batch_classes", [shape, g.Int64s("starts", 0), g.Int64s("ends", 2)]);
        var sizes = g.Node("Concat", "output_size", [batchAndClasses, g.Int64s("input_hw", graph.Input.Height, graph.Input.Width)], Export.OnnxGraph.Int("axis", 0));
        // PyTorch's bilinear with align_corners=False is ONNX's linear with pytorch_half_pixel coordinates.
        var output = g.Node("Resize", "upsample", [scores, "", "", sizes], Export.OnnxGraph.String("mode", "linear"),
            Export.OnnxGraph.String("coordinate_transformation_mode", "pytorch_half_pixel"));
        return (output, (long)graph.Output.Classes * graph.Input.Height * graph.Input.Width);
    }

    public long[] OutputDims(ArchitectureGraph graph, long size) => [graph.Output.Classes, graph.Input.Height, graph.Input.Width];

    public Tensor Targets(HostBatch batch, Device device)
    {
        var masks = batch.Masks ?? throw new InvalidOperationException("A segmentation batch needs masks: the dataset has none.");
        // Flat per image (N x HW): the loss and the metrics compare pixel by pixel, whatever H and W are.
        return tensor(masks).reshape(batch.Count, -1).to(device);
    }

    public Tensor Loss(Tensor output, Tensor targets, double labelSmoothing)
    {
        using var flat = Flatten(output);
        return nn.functional.cross_entropy(flat, targets.reshape(-1), ignore_index: ConfusionIoU.Ignore, label_smoothing: labelSmoothing);
    }

    /// <summary>N x K x H x W scores as (N H W) x K rows, matching the flattened targets.</summary>
    private static Tensor Flatten(Tensor output)
    {
        long classes = output.shape[1];
        using var moved = output.permute(0, 2, 3, 1);
        return moved.reshape(-1, classes);
    }

    public IMetricAccumulator NewMetrics(FeatureShape image) => new IoUAccumulator();

    private sealed class IoUAccumulator : IMetricAccumulator
    {
        private ConfusionIoU? _iou;

        public void Add(Tensor output, Tensor targets)
        {
            _iou ??= new ConfusionIoU((int)output.shape[1]);
            using var predicted = output.argmax(1).reshape(-1).cpu();
            using var truth = targets.reshape(-1).cpu();
            _iou.Add(truth.data<long>().ToArray(), predicted.data<long>().ToArray());
        }

        public IReadOnlyDictionary<string, double> Result()
        {
            if (_iou is null) return new Dictionary<string, double> { [MeanIoU] = 0, [PixelAccuracy] = 0 };
            var r = _iou.Result();
            var metrics = new Dictionary<string, double> { [MeanIoU] = r.MeanIoU, [PixelAccuracy] = r.PixelAccuracy };
            for (int c = 0; c < r.PerClass.Count; c++)
                if (r.PerClass[c] is { } iou) metrics[$"iou{c}"] = iou;
            return metrics;
        }
    }
}

/// <summary>Backbone ("features"), 1x1 convolution ("classifier"), bilinear up-sampling to the input's size.</summary>
public sealed class SegmentationNetwork : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> features;
    private readonly TorchSharp.Modules.Conv2d classifier;

    public SegmentationNetwork(nn.Module<Tensor, Tensor> backbone, int featureChannels, int classes) : base("SegmentationNetwork")
    {
        features = backbone;
        classifier = nn.Conv2d(featureChannels, classes, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var f = features.call(input);
        using var scores = classifier.call(f);
        return nn.functional.interpolate(scores, [input.shape[2], input.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
    }
}
