using System.Text.Json;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Spaces.Darts;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace NasPlatform.Engine.OneShot.Darts;

/// <summary>
/// DARTS (Liu et al. 2019) as a one-shot method: one supernet trained for the search's proxy epochs
/// on its proxy share of the training split, weights on one half and alpha on the other, then the
/// genotype derived from alpha. The validation split only scores the supernet after each epoch.
/// PC-DARTS's partial channels (default 1/4) make it affordable on a CPU worker; a latency term
/// (<see cref="DartsLatency"/>) makes the search's budget apply to the supernet too.
/// </summary>
public sealed class DartsMethod : IOneShotMethod
{
    public const string MethodName = "darts";

    public string Name => MethodName;

    public string Description =>
        "DARTS: one supernet of mixed ops trained by bilevel optimization (weights on one half of the data, architecture weights alpha on the other; option dartsOrder 1 or 2), "
        + "then the strongest two edges per node kept. PC-DARTS's partial channels and edge normalization cut its cost (dartsPartialChannels, 4 by default; 1 = plain DARTS); "
        + "the first dartsWarmupEpochs (30% by default) train the weights only; alpha's loss includes the expected latency from the device's layer table against the budget (dartsLatencyWeight, 0 = off).";

    public IReadOnlyList<string> Spaces { get; } = [DartsSearchSpace.SpaceName];

    public IReadOnlyList<string> OptionNames { get; } = ["dartsOrder", "dartsPartialChannels", "dartsWarmupEpochs", "dartsLatencyWeight"];

    public ArchitectureView? Describe(OneShotProgress step, ISearchSpace space)
    {
        var alpha = step.Alpha();
        IReadOnlyList<DartsEdge>? Cell(string type) =>
            alpha.TryGetValue(type, out var edges) && edges.Count == DartsSupernet.Edges
                ? DartsGenotype.Derive(edges.Select(e => CellOps.Names.Select(op => e.Value.GetValueOrDefault(op)
                    * step.Values.GetValueOrDefault(OneShotProgress.EdgeKey(type, e.Key), 1.0)).ToArray()).ToArray())
                : null;
        return space is DartsSearchSpace darts && Cell("normal") is { } normal && Cell("reduce") is { } reduce
            ? darts.Describe(darts.Architecture(normal, reduce))
            : null;
    }

    public IOneShotRun Start(OneShotContext context, Stream? checkpoint)
    {
        var strategy = context.Options.StrategyOptions;
        int channels = ((DartsSearchSpace)context.Space).Options.Channels;
        int partial = strategy.DartsPartialChannels ?? (channels % 4 == 0 ? 4 : 2);
        var run = new DartsRun(context, new BilevelSettings { Order = strategy.DartsOrder, PartialChannels = partial });
        if (checkpoint is not null) run.Load(checkpoint);
        run.MeasureLatency(CancellationToken.None);
        return run;
    }
}

/// <summary>A DARTS search in progress: one epoch per step, checkpointed by the job between epochs.</summary>
internal sealed class DartsRun : IOneShotRun
{
    private readonly OneShotContext _context;
    private readonly BilevelSettings _settings;
    private readonly DartsSearchSpace _space;
    private readonly ImageDataset _weightsHalf;
    private readonly ImageDataset _alphaHalf;
    private readonly DartsSupernet _net;
    private readonly DartsOptimizer _optimizer;
    private readonly Device _device;
    private int _epoch;
    private double _validationMetric;

    private sealed record Header(int Epoch, double ValidationMetric, DartsLatency? Latency);

    public DartsRun(OneShotContext context, BilevelSettings settings)
    {
        _context = context;
        _settings = settings;
        _space = (DartsSearchSpace)context.Space;
        _device = context.Trainer.Device;
        var o = context.Options;
        var data = DataSplit.Fraction(context.TrainSplit, o.ProxyFraction, o.Seed);
        (_weightsHalf, _alphaHalf) = DataSplit.TrainValidation(data, 0.5, o.Seed + 1);
        if (_weightsHalf.Count == 0 || _alphaHalf.Count == 0) throw new ArgumentException("DARTS needs at least two training images to split between weights and alpha.");
        var input = context.TrainSplit;
        if (_space.Options.Channels % settings.PartialChannels != 0)
            throw new ArgumentException($"dartsPartialChannels {settings.PartialChannels} must divide the space's channels ({_space.Options.Channels}).");
        var (net, optimizer) = TorchRuntime.Seeded(o.Seed, () =>
        {
            var n = new DartsSupernet(input.Channels, _space.Options.Cells, _space.Options.Channels, input.NumClasses, settings.PartialChannels);
            n.to(_device);
            return (n, new DartsOptimizer(n, context.Task, settings, _device));
        });
        (_net, _optimizer) = (net, optimizer);
    }

    public int Epochs => _context.Options.ProxyEpochs;

    private int WarmupEpochs => _context.Options.StrategyOptions.DartsWarmupEpochs ?? (int)(0.3 * Epochs);

    /// <summary>
    /// The latency term, measured once before the first epoch (outside a step, which holds the device the meter takes) and kept
    /// in the checkpoint, so a resumed run optimizes the same term.
    /// </summary>
    public void MeasureLatency(CancellationToken ct)
    {
        var o = _context.Options;
        if (_optimizer.Latency is not null || _context.Meter is not { } meter || o.StrategyOptions.DartsLatencyWeight <= 0) return;
        try
        {
            _optimizer.Latency = DartsLatency.Measure(_space, _context.Task, meter, _context.LatencyTable ?? new Latency.LatencyTable(),
                new Objectives.LatencyTarget(o.LatencyBudgetMs, o.Constraint), o.StrategyOptions.DartsLatencyWeight, o.Seed, ct);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public bool Finished => _epoch >= Epochs;

    public OneShotProgress Step(CancellationToken ct)
    {
        int epoch = _epoch + 1;
        (var values, _validationMetric) = BilevelEpoch.Step("DARTS", _optimizer.Bilevel, new FixedArchitecture(_optimizer), _context, _settings, _weightsHalf, _alphaHalf,
            epoch, Epochs, WarmupEpochs, ct);
        _epoch = epoch;
        var betas = _optimizer.Betas;
        foreach (var (type, alpha, beta) in new[] { ("normal", _optimizer.AlphaNormal, betas?.Normal), ("reduce", _optimizer.AlphaReduce, betas?.Reduce) })
        {
            var weights = DartsGenotype.Weights(alpha);
            for (int e = 0; e < weights.Length; e++)
                for (int k = 0; k < weights[e].Length; k++)
                    values[OneShotProgress.AlphaKey(type, e, CellOps.Names[k])] = weights[e][k];
            if (beta is not null)
                foreach (var (e, w) in DartsGenotype.EdgeWeights(beta).Select((w, e) => (e, w))) values[OneShotProgress.EdgeKey(type, e)] = w;
        }
        if (_optimizer.Latency is { } latency)
        {
            using var scope = NewDisposeScope();
            values["expectedLatencyMs"] = latency.Expected(nn.functional.softmax(_optimizer.AlphaNormal, -1), nn.functional.softmax(_optimizer.AlphaReduce, -1)).ToDouble();
            var (normal, reduce) = Genotype();
            values["derivedLatencyMs"] = latency.Of(normal, reduce);
        }
        return new OneShotProgress(epoch, Epochs, values);
    }

    /// <summary>The cells the architecture parameters derive now (op weights times edge weights under edge normalization).</summary>
    private (IReadOnlyList<DartsEdge> Normal, IReadOnlyList<DartsEdge> Reduce) Genotype()
    {
        var betas = _optimizer.Betas;
        return (DartsGenotype.Derive(_optimizer.AlphaNormal, betas?.Normal), DartsGenotype.Derive(_optimizer.AlphaReduce, betas?.Reduce));
    }

    public (IArchitecture Architecture, double ValidationMetric) Derive()
    {
        var (normal, reduce) = Genotype();
        return (_space.Architecture(normal, reduce), _validationMetric);
    }

    public void SaveCheckpoint(Stream output)
    {
        using var writer = new BinaryWriter(output, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(JsonSerializer.Serialize(new Header(_epoch, _validationMetric, _optimizer.Latency)));
        _net.save(writer);
        _optimizer.Save(writer);
    }

    public void Load(Stream input)
    {
        using var reader = new BinaryReader(input, System.Text.Encoding.UTF8, leaveOpen: true);
        var header = JsonSerializer.Deserialize<Header>(reader.ReadString()) ?? throw new InvalidDataException("The DARTS checkpoint has no header.");
        _net.load(reader);
        _optimizer.Load(reader);
        (_epoch, _validationMetric, _optimizer.Latency) = (header.Epoch, header.ValidationMetric, header.Latency);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _net.Dispose();
    }

    /// <summary>The supernet at the current alpha as a plain network, for the trainer's evaluation.</summary>
    private sealed class FixedArchitecture : nn.Module<Tensor, Tensor>
    {
        private readonly DartsOptimizer _optimizer;

        public FixedArchitecture(DartsOptimizer optimizer) : base("DartsSupernetView")
        {
            _optimizer = optimizer;
        }

        public override Tensor forward(Tensor x) => _optimizer.Logits(x, _optimizer.Architecture.Select(a => a.detach()).ToArray());

        // Evaluate switches modes and devices through this view; the supernet follows.
        public override void train(bool on = true) => _optimizer.Net.train(on);
    }
}
