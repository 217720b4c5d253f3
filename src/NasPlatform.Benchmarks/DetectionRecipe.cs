using System.Diagnostics;
using System.Globalization;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Spaces.NasFpn;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tasks.Detection;
using NasPlatform.Engine.Training;

namespace NasPlatform.Benchmarks;

/// <summary>
/// detection-recipe: trains the FPN baseline (32 channels) on a detection set under several optimizer settings for the same
/// epochs and prints validation mAP per epoch, to choose the detection task's default recipe from measurements.
/// </summary>
public static class DetectionRecipe
{
    public static void Run(string data, int epochs, int batch, string recipes)
    {
        NasPlatform.Engine.Torch.TorchRuntime.EnsureLoaded();
        var bundle = DatasetLoader.Load(data);
        var (train, validation) = DataSplit.TrainValidation(bundle.Train, 0.1, 1);
        var task = new DetectionTask(ownRecipe: false);
        var input = new SpaceInput(train.Shape.Image, task.OutputOf(train.Shape));
        var space = new NasFpnSearchSpace(input, new NasFpnSpaceOptions());
        var arch = space.Fpn(32);
        Console.WriteLine($"{train.Count} train / {validation.Count} validation images of {train.Shape.Image}, {epochs} epochs, batch {batch}");
        foreach (var recipe in recipes.Split(','))
        {
            var parts = recipe.Split(':');
            var options = new TrainingOptions
            {
                Epochs = epochs, BatchSize = batch, Seed = 1, LabelSmoothing = 0, CropPadding = 4, HorizontalFlip = true,
                Optimizer = parts[0] == "adamw" ? OptimizerKind.AdamW : OptimizerKind.Sgd,
                LearningRate = double.Parse(parts[1], CultureInfo.InvariantCulture),
                WeightDecay = parts.Length > 2 ? double.Parse(parts[2], CultureInfo.InvariantCulture) : 1e-4,
            };
            var candidate = new Candidate(arch, space.Graph(arch), task);
            using var net = candidate.Build(1);
            var clock = Stopwatch.StartNew();
            var result = new Trainer(TorchSharp.torch.CPU).Train(net, task, train, validation, options,
                e => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {recipe} epoch {e.Epoch}: loss {e.TrainLoss:F3}, val mAP {e.ValidationMetric:P2}, {e.Seconds:F1} s")));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{recipe}: val mAP {result.ValidationMetric:P2} after {epochs} epochs, {clock.Elapsed.TotalMinutes:F1} min"));
        }
    }
}
