using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Datasets.Segmentation;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Tasks.Segmentation;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Common;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Tests.Segmentation;

public class SegmentationTrainingTests
{
    private static SegmentationSet Set(int count) => SegmentationSynth.Make(TinyImages.Make(40, 3, 1, 16, seed: 1), count, 24, seed: 3);

    [Fact]
    public void Batches_ShiftAndMirrorEachMaskWithItsImage()
    {
        var data = SegmentationSplit.ToDataset(Set(8));
        var batch = BatchPipeline.Build(data, [0, 1, 2, 3, 4, 5, 6, 7], new Augmentation(CropPadding: 3, Flip: true), new SeededRandom(5));
        Assert.NotNull(batch.Masks);
        int plane = 24 * 24;
        for (int n = 0; n < 8; n++)
        {
            for (int i = 0; i < plane; i++)
            {
                long m = batch.Masks![n * plane + i];
                float v = batch.Images[n * plane + i];
                // Uncovered pixels are not scored; every covered pixel keeps the rule of the generator: class > 0 exactly where there is ink.
                if (m == ConfusionIoU.Ignore) Assert.Equal(-1f, v);
                else Assert.Equal(m > 0, v >= BatchPipeline.Normalize(SegmentationSynth.InkThreshold));
            }
        }
    }

    [Fact]
    public void TheSplit_HoldsOutAStratifiedFifth_WithTheMasks()
    {
        var bundle = SegmentationSplit.Split(Set(40));
        Assert.Equal(40, bundle.Train.Count + bundle.Test.Count);
        Assert.InRange(bundle.Test.Count, 6, 10);
        Assert.NotNull(bundle.Test.Masks);
        Assert.Equal(bundle.Test.Count * 24 * 24, bundle.Test.Masks!.Length);
    }

    [Fact]
    public void ASearch_OnASegmentationSet_TrainsScoresByMIoU_AndMeasuresLatency()
    {
        var bundle = SegmentationSplit.Split(Set(60));
        var options = new SearchOptions
        {
            Task = SegmentationTask.TaskName, Space = "resnet", LatencyBudgetMs = 20, Strategy = "random", MaxTrials = 2, ProxyEpochs = 1,
            ProxyFraction = 1, FinalEpochs = 1, Threads = 1, Seed = 2,
            Training = new TrainingOptions { BatchSize = 16 }, Latency = new LatencyOptions { WarmupRuns = 1, TimedRuns = 6, Rounds = 2 },
        };
        var result = new SearchRunner(bundle, options).Run();
        using var network = result.Final.Network;
        Assert.All(result.Trials, t => Assert.False(t.Failed, t.Error));
        Assert.All(result.Trials, t => Assert.InRange(t.ValidationMetric, 0, 1));
        Assert.InRange(result.Final.Test.Metric, 0, 1);
        Assert.Equal(result.Final.Test.Metric, result.Final.Test.Metrics[SegmentationTask.MeanIoU]);
        Assert.True(result.Final.Test.Metrics.ContainsKey("iou0"));
        Assert.True(result.Final.Latency.MedianMs > 0);
        // A pixel-wise output of the input's size.
        TorchRuntime.EnsureLoaded();
        using var input = TorchSharp.torch.zeros(2, 1, 24, 24);
        network.eval();
        using var output = network.call(input);
        Assert.Equal([2L, 4, 24, 24], output.shape);
    }

    [Fact]
    public void ASpaceThatCannotSegment_IsRefused_NamingTheSpacesThatCan()
    {
        var options = new SearchOptions { Task = SegmentationTask.TaskName, Space = "mnasnet", LatencyBudgetMs = 5 };
        var e = Assert.Throws<ArgumentException>(() => new SearchRunner(SegmentationSplit.Split(Set(20)), options));
        Assert.Contains("Spaces for segmentation: resnet", e.Message);
    }
}
