using NasPlatform.Engine.Datasets.Detection;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Tasks.Detection;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Tests.Detection;

/// <summary>A NAS-FPN search on a tiny generated set through the engine's pipeline, and the detector's loss and metrics.</summary>
public class DetectionSearchTests
{
    public DetectionSearchTests() => TorchRuntime.EnsureLoaded();

    [Fact]
    public void ANasFpnSearch_WithTheRlController_TrainsDetectors_RanksByMap_AndTrainsTheFpnBaseline()
    {
        var bundle = DetectionSplit.Split(DetectionDataTests.Synth(40, 32));
        var options = new SearchOptions
        {
            Task = DetectionTask.TaskName, Space = "nasfpn", LatencyBudgetMs = 50, Strategy = "mnasnet-rl", MaxTrials = 2, ProxyEpochs = 1,
            ProxyFraction = 1, FinalEpochs = 1, Threads = 1, Seed = 2, Baselines = true, BaselineFamilies = ["fpn"],
            Training = new TrainingOptions { BatchSize = 8 }, Latency = new LatencyOptions { WarmupRuns = 1, TimedRuns = 4, Rounds = 1 },
        };
        var result = new SearchRunner(bundle, options).Run();
        using var network = result.Final.Network;
        Assert.Equal(DetectionTask.MeanAp, result.Metric);
        Assert.All(result.Trials, t => Assert.False(t.Failed, t.Error));
        Assert.All(result.Trials, t => Assert.InRange(t.ValidationMetric, 0, 1));
        var metrics = result.Final.Test.Metrics;
        Assert.Equal(result.Final.Test.Metric, metrics[DetectionTask.MeanAp]);
        Assert.InRange(metrics[DetectionTask.Ap50], metrics[DetectionTask.MeanAp], 1);
        Assert.True(metrics.ContainsKey(DetectionTask.Ap75));
        Assert.True(result.Final.Latency.MedianMs > 0);
        Assert.True(result.Final.Onnx.Usable, result.Final.Onnx.Error);
        Assert.NotNull(result.Final.PyTorch.Source);
        Assert.Equal(["fpn-0.25x", "fpn-0.5x", "fpn-1x"], result.Baselines.Select(b => b.Name));
        Assert.All(result.Baselines, b => Assert.InRange(b.Test!.Metric, 0, 1));
    }

    [Fact]
    public void TheLoss_ReachesEveryHeadOutput_AndFallsWhenTrainedOnOneBatch()
    {
        var data = DetectionSplit.ToDataset(DetectionDataTests.Synth(8, 32));
        var space = TestData.SpaceChecks.Create("nasfpn", 1, 32, data.NumClasses);
        var arch = TestData.SpaceChecks.Samples(space, 3, 1).First();
        var task = new DetectionTask();
        var candidate = new Candidate(arch, space.Graph(arch), task);
        using var net = candidate.Build(1);
        var batch = BatchPipeline.Build(data, [0, 1, 2, 3, 4, 5, 6, 7], Augmentation.None, new NasPlatform.Engine.Common.SeededRandom(1));
        using var optimizer = TorchSharp.torch.optim.Adam(net.parameters(), 1e-3);
        float first = 0, last = 0;
        for (int step = 0; step < 30; step++)
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var x = TorchSharp.torch.tensor(batch.Images, [8, 1, 32, 32]);
            var y = task.Targets(batch, TorchSharp.torch.CPU);
            var loss = task.Loss(net.call(x), y, 0);
            optimizer.zero_grad();
            loss.backward();
            if (step == 0)
            {
                first = loss.item<float>();
                Assert.All(net.named_parameters().Where(p => p.name.Contains("_out")), p => Assert.True(p.parameter.grad!.abs().sum().item<float>() > 0, p.name));
            }
            optimizer.step();
            last = loss.item<float>();
        }
        Assert.True(float.IsFinite(first));
        Assert.True(last < first * 0.7, $"loss {first} -> {last}");
    }
}
