using System.Collections.Concurrent;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Datasets.Detection;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Training;
using static TorchSharp.torch;

namespace NasPlatform.Engine.Tasks.Detection;

/// <summary>
/// Boxes with classes (RetinaNet, Lin et al. 2017): the network is a whole detector (its space builds backbone, pyramid and the
/// class and box subnets) that writes, for every anchor of <see cref="AnchorLayout.For"/>, K class logits and 4 box offsets.
/// Anchors are matched to boxes at IoU 0.5 (background below 0.4, ignored between; each box also claims its best anchor);
/// the loss is the focal loss (alpha 0.25, gamma 2) plus smooth-L1 on the offsets of matched anchors, both over the matched
/// count; ranked by COCO's mAP after per-class NMS.
/// </summary>
/// <param name="ownRecipe">False keeps the search's training settings (the detection-recipe benchmark compares them).</param>
public sealed class DetectionTask(bool ownRecipe = true) : ITask
{
    public const string TaskName = "detection";
    public const string MeanAp = "map", Ap50 = "ap50", Ap75 = "ap75";
    public const float PositiveIoU = 0.5f, NegativeIoU = 0.4f, ScoreThreshold = 0.05f, NmsIoU = 0.5f;
    public const int CandidatesPerImage = 1000;
    public const float FocalAlpha = 0.25f, FocalGamma = 2f, SmoothL1Beta = 1f / 9;

    /// <summary>Target rows: a matched anchor's class (or <see cref="Background"/> / <see cref="Ignored"/>) and its 4 offsets; after
    /// the anchors, each image's boxes (class or <see cref="Padding"/>, x1, y1, x2, y2) for the metrics.</summary>
    public const float Background = -1, Ignored = -2, Padding = -1;

    private readonly ConcurrentDictionary<(int, int), (AnchorLayout Layout, float[] Boxes)> _anchors = new();

    public string Name => TaskName;

    public string Description => "Boxes with classes; RetinaNet detectors (anchors, focal loss, class and box subnets); ranked by COCO mAP.";

    public string PrimaryMetric => MeanAp;

    public string OutputDescription =>
        "N x A x (K + 4): one row per anchor, K class logits (sigmoid gives each class's probability) then 4 box offsets (dx, dy, dw, dh). "
        + "Anchors: for each pyramid level l from the architecture's minLevel to maxLevel (stride s = 2^l, ceil(H / s) x ceil(W / s) "
        + "locations, row by row), at each location centred at ((x + 0.5) s, (y + 0.5) s), for aspect ratio h / w in (0.5, 1, 2) and "
        + "scale 2^(i / 3), i = 0, 1, 2: a box of size 4 s 2^(i / 3) / sqrt(ratio) wide and 4 s 2^(i / 3) sqrt(ratio) high. A box is "
        + "centre + (dx, dy) x anchor size and size x exp(dw, dh). Keep scores over 0.05 (the best 1,000 per image), decode, clip to "
        + "the image, apply NMS at IoU 0.5 per class and keep the best 100.";

    public TaskOutput OutputOf(DataShape data) => new(data.Classes);

    /// <summary>The detector op is the whole network (it already writes the anchor rows), named "features" as every task's backbone is.</summary>
    public nn.Module<Tensor, Tensor> BuildNetwork(ArchitectureGraph graph) => new DetectionNetwork(graph.Backbone.Build());

    public OpCost HeadCost(ArchitectureGraph graph) => default;

    public (string Output, long Size) EmitHead(Export.OnnxGraph g, ArchitectureGraph graph, string features) =>
        (features, (long)graph.Features.Channels * graph.Features.Height);

    public long[] OutputDims(ArchitectureGraph graph, long size) => [graph.Features.Height, graph.Features.Channels];

    public (AnchorLayout Layout, float[] Boxes) Anchors(int height, int width) =>
        _anchors.GetOrAdd((height, width), k => { var l = AnchorLayout.For(k.Item1, k.Item2); return (l, l.Boxes()); });

    public Tensor Targets(HostBatch batch, Device device)
    {
        var boxes = batch.Boxes ?? throw new InvalidOperationException("A detection batch needs boxes: the dataset has none.");
        var (layout, anchors) = Anchors(batch.Height, batch.Width);
        int a = layout.Count, m = Math.Max(1, boxes.Max(b => b.Length)), rows = a + m;
        var t = new float[batch.Count * rows * 5];
        for (int n = 0; n < batch.Count; n++)
        {
            Match(anchors, boxes[n], t.AsSpan(n * rows * 5, a * 5));
            for (int j = 0; j < m; j++)
            {
                int at = (n * rows + a + j) * 5;
                if (j < boxes[n].Length) (t[at], t[at + 1], t[at + 2], t[at + 3], t[at + 4]) = (boxes[n][j].Class, boxes[n][j].X1, boxes[n][j].Y1, boxes[n][j].X2, boxes[n][j].Y2);
                else t[at] = Padding;
            }
        }
        return tensor(t, [batch.Count, rows, 5]).to(device);
    }

    /// <summary>Each anchor's class and offsets for one image (5 floats per anchor).</summary>
    public static void Match(float[] anchors, DetectionBox[] truth, Span<float> rows)
    {
        int count = anchors.Length / 4;
        var bestIoU = new float[truth.Length];
        var bestAnchor = new int[truth.Length];
        for (int i = 0; i < count; i++)
        {
            float best = 0;
            int which = -1;
            for (int g = 0; g < truth.Length; g++)
            {
                float iou = BoxMath.IoU(anchors, i, truth[g]);
                if (iou > best) (best, which) = (iou, g);
                if (iou > bestIoU[g]) (bestIoU[g], bestAnchor[g]) = (iou, i);
            }
            if (best >= PositiveIoU) Assign(anchors, i, truth[which], rows);
            else rows[5 * i] = best < NegativeIoU ? Background : Ignored;
        }
        // Small or thin boxes may reach 0.5 with no anchor: their best anchor is theirs all the same (torchvision's low-quality matches).
        for (int g = 0; g < truth.Length; g++)
            if (bestIoU[g] > 0 && rows[5 * bestAnchor[g]] < 0) Assign(anchors, bestAnchor[g], truth[g], rows);
    }

    private static void Assign(float[] anchors, int i, DetectionBox box, Span<float> rows)
    {
        var (dx, dy, dw, dh) = BoxMath.Encode(anchors, i, box);
        (rows[5 * i], rows[5 * i + 1], rows[5 * i + 2], rows[5 * i + 3], rows[5 * i + 4]) = (box.Class, dx, dy, dw, dh);
    }

    public Tensor Loss(Tensor output, Tensor targets, double labelSmoothing)
    {
        long anchors = output.shape[1], classes = output.shape[2] - 4;
        using var scope = NewDisposeScope();
        var rows = targets.narrow(1, 0, anchors);
        var labels = rows.select(2, 0);
        var positive = labels.ge(0);
        var counted = labels.ge(Background).unsqueeze(2).to(output.dtype);
        var logits = output.narrow(2, 0, classes);
        var onehot = nn.functional.one_hot(labels.clamp_min(0).to(ScalarType.Int64), classes).to(output.dtype) * positive.unsqueeze(2).to(output.dtype);
        var p = logits.sigmoid();
        var ce = nn.functional.binary_cross_entropy_with_logits(logits, onehot, reduction: nn.Reduction.None);
        var pt = p * onehot + (1 - p) * (1 - onehot);
        var alpha = onehot * FocalAlpha + (1 - onehot) * (1 - FocalAlpha);
        var focal = (alpha * ce * (1 - pt).pow(FocalGamma) * counted).sum();
        var boxLoss = nn.functional.smooth_l1_loss(output.narrow(2, classes, 4), rows.narrow(2, 1, 4), nn.Reduction.None, SmoothL1Beta);
        var boxSum = (boxLoss * positive.unsqueeze(2).to(output.dtype)).sum();
        var matched = positive.sum().to(output.dtype).clamp_min(1);
        return ((focal + boxSum) / matched).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// AdamW at 3e-3 (weight decay 1e-4) instead of the classification recipe's SGD: with the few hundred steps a CPU worker gives a
    /// detector, SGD barely moves the focal loss. Measured by the detection-recipe benchmark (FPN, 1,439 Fashion-MNIST demo images,
    /// 8 epochs): validation mAP 21.1% with AdamW 3e-3, 17.9% with 1e-3, 7.8% with SGD 0.01, about 1% with SGD 0.05. No random erasing:
    /// it would blank objects whose boxes stay in the targets.
    /// </summary>
    public TrainingOptions Recipe(TrainingOptions options) => !ownRecipe ? options :
        options with { Optimizer = OptimizerKind.AdamW, LearningRate = 3e-3, WeightDecay = 1e-4, ErasingProbability = 0, LabelSmoothing = 0 };

    public IMetricAccumulator NewMetrics(FeatureShape image) => new ApAccumulator(this, image);

    /// <summary>The detections of one image's output rows (A x (K + 4)): scores over the threshold, the best 1000, decoded, NMS per class, the best 100.</summary>
    public static List<ScoredBox> Detect(ReadOnlySpan<float> rows, int classes, float[] anchors, int width, int height)
    {
        int stride = classes + 4, count = anchors.Length / 4;
        var candidates = new List<(int Anchor, int Class, float Score)>();
        for (int i = 0; i < count; i++)
            for (int c = 0; c < classes; c++)
            {
                float score = 1f / (1f + MathF.Exp(-rows[i * stride + c]));
                if (score > ScoreThreshold) candidates.Add((i, c, score));
            }
        var top = candidates.OrderByDescending(x => x.Score).Take(CandidatesPerImage).ToList();
        var result = new List<ScoredBox>();
        foreach (var group in top.GroupBy(x => x.Class))
        {
            var boxes = new List<ScoredBox>();
            foreach (var x in group)
            {
                int at = x.Anchor * stride + classes;
                boxes.Add(new ScoredBox(BoxMath.Decode(anchors, x.Anchor, rows[at], rows[at + 1], rows[at + 2], rows[at + 3], x.Class, width, height), x.Score));
            }
            result.AddRange(BoxMath.Nms(boxes, NmsIoU).Select(k => boxes[k]));
        }
        return result.OrderByDescending(b => b.Score).Take(AveragePrecision.MaxDetections).ToList();
    }

    private sealed class ApAccumulator(DetectionTask task, FeatureShape image) : IMetricAccumulator
    {
        private readonly List<EvaluatedImage> _images = [];
        private int _classes;

        public void Add(Tensor output, Tensor targets)
        {
            var (_, anchors) = task.Anchors(image.Height, image.Width);
            long a = output.shape[1];
            _classes = (int)output.shape[2] - 4;
            using var o = output.detach().cpu().contiguous();
            using var t = targets.narrow(1, a, targets.shape[1] - a).cpu().contiguous();
            var rows = o.data<float>().ToArray();
            var truthRows = t.data<float>().ToArray();
            int perImage = (int)a * (_classes + 4), m = (int)t.shape[1];
            for (int n = 0; n < output.shape[0]; n++)
            {
                var truth = new List<DetectionBox>();
                for (int j = 0; j < m; j++)
                {
                    int at = (n * m + j) * 5;
                    if (truthRows[at] >= 0) truth.Add(new DetectionBox((int)truthRows[at], truthRows[at + 1], truthRows[at + 2], truthRows[at + 3], truthRows[at + 4]));
                }
                _images.Add(new EvaluatedImage(truth, Detect(rows.AsSpan(n * perImage, perImage), _classes, anchors, image.Width, image.Height)));
            }
        }

        public IReadOnlyDictionary<string, double> Result()
        {
            var r = AveragePrecision.Evaluate(_images, _classes);
            var metrics = new Dictionary<string, double> { [MeanAp] = r.MeanAp, [Ap50] = r.Ap50, [Ap75] = r.Ap75 };
            for (int c = 0; c < r.PerClass.Count; c++)
                if (r.PerClass[c] is { } ap) metrics[$"ap{c}"] = ap;
            return metrics;
        }
    }
}

/// <summary>The detector under the name "features", so its state-dict names start as every task's network's do.</summary>
public sealed class DetectionNetwork : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> features;

    public DetectionNetwork(nn.Module<Tensor, Tensor> detector) : base("DetectionNetwork")
    {
        features = detector;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => features.call(input);
}
