using System.Diagnostics;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Tasks.Classification;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NasPlatform.Benchmarks;

/// <summary>The engine's three published figures (issue: search engine core, item 11).</summary>
public sealed class EngineBenchmarks
{
    private const int BatchSize = 128;
    private readonly DatasetBundle _data;
    private readonly int _threads;
    private readonly Candidate _candidate;
    private readonly ITask _task = new ClassificationTask();

    public EngineBenchmarks(string dataPath, int threads)
    {
        _threads = threads;
        TorchRuntime.Configure(threads);
        var clock = Stopwatch.StartNew();
        _data = DatasetLoader.Load(dataPath, null, null);
        Console.WriteLine($"data: {dataPath} ({_data.Format}), {_data.Train.Count} train / {_data.Test.Count} test, loaded in {clock.Elapsed.TotalSeconds:0.0} s; threads {threads}");
        // A fixed, moderately sized architecture: the space's MobileNetV2-like reference point.
        var space = new MnasSearchSpace(_data.Train.Channels, _data.Train.Height, _data.Train.Width, _data.Train.NumClasses);
        var arch = space.ReferenceArchitecture();
        _candidate = new Candidate(arch, space.Graph(arch), _task);
    }

    public void Throughput(int images = 8192, int repeats = 3)
    {
        var subset = DataSplit.Fraction(_data.Train, (double)images / _data.Train.Count, 1);
        var options = new TrainingOptions { Epochs = 1, BatchSize = BatchSize, Seed = 1 };
        var trainer = new Trainer(CPU);
        // Warm-up: first passes allocate and pick kernels.
        using (var warm = _candidate.Build(1))
            trainer.Train(warm, _task, DataSplit.Fraction(subset, 0.1, 1), null, options);

        var engine = new List<double>();
        var bare = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            using (var net = _candidate.Build(1))
            {
                var result = trainer.Train(net, _task, subset, null, options);
                engine.Add(result.History[0].ImagesPerSecond);
            }
            using (var net = _candidate.Build(1))
                bare.Add(BareLoop(net, subset));
        }
        double e = Median(engine), b = Median(bare);
        Console.WriteLine($"throughput: engine trainer {e:0} img/s, bare TorchSharp loop {b:0} img/s, ratio {e / b:0.000} (goal >= 0.9); " +
                          $"{subset.Count} images x {repeats} repeats, batch {BatchSize}, medians; runs engine [{string.Join(", ", engine.Select(x => x.ToString("0")))}] bare [{string.Join(", ", bare.Select(x => x.ToString("0")))}]");
    }

    /// <summary>
    /// The plainest TorchSharp loop: the whole subset pre-converted to one float tensor, batches
    /// sliced from it, SGD with a fixed rate, no augmentation and no schedule.
    /// </summary>
    private static double BareLoop(nn.Module<Tensor, Tensor> net, ImageDataset data)
    {
        using var all = tensor(data.Pixels.Select(BatchPipeline.Normalize).ToArray(), [data.Count, data.Channels, data.Height, data.Width]);
        using var labels = tensor(data.Labels.Select(l => (long)l).ToArray());
        using var optimizer = optim.SGD(net.parameters(), 0.05, 0.9, nesterov: true);
        net.train();
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < data.Count; start += BatchSize)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(BatchSize, data.Count - start);
            var x = all.narrow(0, start, n);
            var y = labels.narrow(0, start, n);
            var loss = nn.functional.cross_entropy(net.call(x), y);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            loss.item<float>();
        }
        return data.Count / clock.Elapsed.TotalSeconds;
    }

    public void ProxyTrial()
    {
        var defaults = new SearchOptions { LatencyBudgetMs = 1 };
        var (train, validation) = DataSplit.TrainValidation(_data.Train, defaults.ValidationFraction, defaults.Seed);
        var estimator = new ProxyTrainingEstimator(train, validation, defaults.Training with { Epochs = defaults.ProxyEpochs },
            defaults.ProxyFraction, defaults.Seed, new Trainer(CPU), new LatencyMeter(CPU, defaults.Latency));
        var clock = Stopwatch.StartNew();
        var m = estimator.Estimate(_candidate, 1, null, CancellationToken.None);
        Console.WriteLine($"proxy trial: {clock.Elapsed.TotalSeconds:0.0} s for {defaults.ProxyEpochs} epochs on {estimator.TrainCount} images " +
                          $"+ validation on {validation.Count} + latency; validation accuracy {m.ValidationMetric:P2}, latency {m.Latency.MedianMs:0.000} ms, " +
                          $"{_candidate.Cost.Parameters:N0} params, {_candidate.Cost.MultiplyAdds / 1e6:0.0}M MACs");
    }

    private static double Median(List<double> values)
    {
        var s = values.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
