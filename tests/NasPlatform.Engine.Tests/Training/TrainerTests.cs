using NasPlatform.Engine.Common;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using TorchSharp;

namespace NasPlatform.Engine.Tests.Training;

public class TrainerTests
{
    public TrainerTests() => TorchRuntime.Configure(2);

    private static MnasArchitecture SmallArchitecture(int classes)
    {
        var space = new MnasSearchSpace(1, 16, 16, classes);
        var choices = space.Encode(space.ReferenceArchitecture());
        for (int b = 0; b < space.BlockCount; b++)
        {
            choices[b * MnasSearchSpace.DecisionsPerBlock] = 0;     // plain conv: fast on CPU
            choices[b * MnasSearchSpace.DecisionsPerBlock + 5] = 0; // one layer fewer
        }
        return space.Decode(choices);
    }

    [Fact]
    public void Train_OnLearnableData_BeatsChanceOnValidation()
    {
        var train = TinyImages.Make(320, 4, 1, 16, seed: 1);
        var validation = TinyImages.Make(80, 4, 1, 16, seed: 2);
        var arch = SmallArchitecture(4);
        using var net = Mnas.Network(arch, 7);
        var epochs = new List<EpochReport>();
        var result = new Trainer(torch.CPU).Train(net, Mnas.Task, train, validation,
            new TrainingOptions { Epochs = 3, BatchSize = 16, LearningRate = 0.05, Seed = 7 }, epochs.Add);
        Assert.Equal(3, epochs.Count);
        Assert.Equal([1, 2, 3], epochs.Select(e => e.Epoch));
        Assert.True(result.ValidationMetric > 0.6, $"validation accuracy {result.ValidationMetric}");
        Assert.True(epochs[^1].TrainLoss < epochs[0].TrainLoss, "loss did not decrease");
    }

    [Fact]
    public void Train_SameSeed_GivesIdenticalHistory()
    {
        var train = TinyImages.Make(96, 3, 1, 16, seed: 3);
        var validation = TinyImages.Make(30, 3, 1, 16, seed: 4);
        var arch = SmallArchitecture(3);
        List<double> Run()
        {
            using var net = Mnas.Network(arch, 5);
            var r = new Trainer(torch.CPU).Train(net, Mnas.Task, train, validation, new TrainingOptions { Epochs = 2, BatchSize = 16, Seed = 5 });
            return r.History.SelectMany(e => new[] { e.TrainLoss, e.ValidationMetric ?? -1 }).ToList();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Train_AdamW_AlsoLearns()
    {
        var train = TinyImages.Make(160, 2, 1, 16, seed: 8);
        var arch = SmallArchitecture(2);
        using var net = Mnas.Network(arch, 9);
        var r = new Trainer(torch.CPU).Train(net, Mnas.Task, train, train,
            new TrainingOptions { Epochs = 2, BatchSize = 16, Optimizer = OptimizerKind.AdamW, LearningRate = 2e-3, WeightDecay = 0.01, Seed = 9 });
        Assert.True(r.ValidationMetric > 0.7, $"accuracy {r.ValidationMetric}");
    }

    [Fact]
    public void Train_Cancelled_StopsWithOperationCanceled()
    {
        var train = TinyImages.Make(64, 2, 1, 16, seed: 8);
        using var net = Mnas.Network(SmallArchitecture(2));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Trainer(torch.CPU).Train(net, Mnas.Task, train, null, new TrainingOptions { Epochs = 1, BatchSize = 16 }, ct: cts.Token));
    }

    [Theory]
    [InlineData(0, 0.01)]
    [InlineData(9, 0.1)]
    [InlineData(10, 0.1)]
    [InlineData(55, 0.05)]
    [InlineData(100, 0.0)]
    public void ScheduledRate_WarmsUpThenDecaysByCosine(long step, double expected)
    {
        Assert.Equal(expected, Trainer.ScheduledRate(0.1, step, warmup: 10, totalSteps: 100), 6);
    }

    [Fact]
    public void BatchPipeline_SameSeedAndEpoch_GivesSameBatches_AndNoAugmentationKeepsPixels()
    {
        var data = TinyImages.Make(40, 2, 1, 16, seed: 1);
        var augment = new Augmentation(2, true, 0.5);
        var a = BatchPipeline.Build(data, new[] { 0, 1, 2 }, augment, new SeededRandom(3));
        var b = BatchPipeline.Build(data, new[] { 0, 1, 2 }, augment, new SeededRandom(3));
        Assert.Equal(a.Images, b.Images);
        var plain = BatchPipeline.Build(data, new[] { 5 }, Augmentation.None, new SeededRandom(3));
        Assert.Equal(data.Image(5).ToArray().Select(BatchPipeline.Normalize), plain.Images);
        Assert.Equal(data.Labels[5], plain.Labels[0]);
    }

    [Fact]
    public void TrainingOptions_Invalid_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => new TrainingOptions { Epochs = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingOptions { DataFraction = 1.5 }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingOptions { LabelSmoothing = 1 }.Validate());
    }
}
