using NasPlatform.Engine.Common;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using TorchSharp;

namespace NasPlatform.Engine.Tests.Training;

public class RecipeTests
{
    public RecipeTests() => TorchRuntime.Configure(2);

    [Fact]
    public void RandomErasing_ClearsOneRectangleOfTwoToTwentyFivePercent_PerImage()
    {
        // Pixel values 0..255 never normalize to exactly 0, so zeros are erased pixels.
        var data = TinyImages.Make(50, 2, 3, 20, seed: 4);
        var batch = BatchPipeline.Build(data, Enumerable.Range(0, 50).ToArray(), new Augmentation(ErasingProbability: 1), new SeededRandom(9));
        for (int n = 0; n < 50; n++)
        {
            var image = batch.Images.AsSpan(n * data.ImageSize, data.ImageSize);
            var plane = image[..(20 * 20)];
            var zeros = new List<(int Y, int X)>();
            for (int i = 0; i < plane.Length; i++) if (plane[i] == 0f) zeros.Add((i / 20, i % 20));
            Assert.InRange(zeros.Count, 1, 0.3 * 400); // 25% of the area, sides rounded
            // A filled rectangle, the same on every channel.
            int h = zeros.Max(z => z.Y) - zeros.Min(z => z.Y) + 1, w = zeros.Max(z => z.X) - zeros.Min(z => z.X) + 1;
            Assert.Equal(h * w, zeros.Count);
            Assert.Equal(zeros.Count * 3, image.ToArray().Count(v => v == 0f));
        }
        var none = BatchPipeline.Build(data, Enumerable.Range(0, 50).ToArray(), new Augmentation(ErasingProbability: 0), new SeededRandom(9));
        Assert.DoesNotContain(0f, none.Images);
    }

    [Fact]
    public void WeightAverage_FollowsTheWeights_WithAWarmUpOfTheDecay()
    {
        using var model = torch.nn.Linear(3, 1);
        using (torch.no_grad()) model.weight!.fill_(0);
        using var average = new WeightAverage(model, 0.9);
        using (torch.no_grad()) model.weight!.fill_(1);
        average.Update(0); // decay min(0.9, 1/10) = 0.1: the average jumps most of the way
        using (torch.no_grad()) model.weight!.fill_(5);
        average.CopyToModel();
        Assert.Equal(0.9f, model.weight!.data<float>()[0], 5);
    }

    [Fact]
    public void Train_RecordsItsRecipe_AndEmaReplacesTheWeightsAtTheEnd()
    {
        var train = TinyImages.Make(64, 2, 1, 12, seed: 1);
        var options = new TrainingOptions { Epochs = 2, BatchSize = 16, Seed = 3, ErasingProbability = 0.5 };
        using var plain = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(144, 2));
        using var averaged = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(144, 2));
        averaged.load_state_dict(plain.state_dict());
        var trainer = new Trainer(torch.CPU);
        var result = trainer.Train(plain, Mnas.Task, train, null, options);
        trainer.Train(averaged, Mnas.Task, train, null, options with { EmaDecay = 0.99 });

        Assert.Equal(8, result.Recipe.Steps);
        Assert.Equal(0, result.Recipe.WarmupSteps); // a tenth of 8 steps
        Assert.Equal(64, result.Recipe.Images);
        Assert.Equal(0.5, result.Recipe.ErasingProbability);
        Assert.Null(result.Recipe.EmaDecay);
        var a = plain.parameters().First().data<float>().ToArray();
        var b = averaged.parameters().First().data<float>().ToArray();
        Assert.NotEqual(a, b);
    }
}
