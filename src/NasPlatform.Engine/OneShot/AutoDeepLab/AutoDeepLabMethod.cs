using System.Globalization;
using System.Text.Json;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.OneShot.Darts;
using NasPlatform.Engine.Ops.Cells;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Spaces.AutoDeepLab;
using NasPlatform.Engine.Spaces.Darts;
using NasPlatform.Engine.Torch;
using NasPlatform.Engine.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NasPlatform.Engine.OneShot.AutoDeepLab;

/// <summary>
/// Auto-DeepLab (Liu et al. 2019) as a one-shot method: the trellis supernet trained by the bilevel optimization DARTS
/// uses (first order, weights on one half of the proxy share of the training split, alpha and beta on the other; Adam at
/// 3e-3 for the architecture, as the paper), architecture steps only in the second half of the epochs (the paper: after
/// 20 of 40); then the cell derived from alpha as DARTS does and the network path decoded from beta by Viterbi.
/// </summary>
public sealed class AutoDeepLabMethod : IOneShotMethod
{
    public const string MethodName = "autodeeplab";
    public const string CellType = "cell";
    public const string PathPrefix = "path.";

    public string Name => MethodName;

    public string Description =>
        "Auto-DeepLab (segmentation): one supernet over a trellis of layers x down-sampling levels whose cells share one alpha; alpha (the cell) and beta (the network path) "
        + "trained by DARTS's bilevel optimization after a weights-only warm-up (dartsWarmupEpochs, half by default); the path decoded by Viterbi, then an ASPP head.";

    public IReadOnlyList<string> Spaces { get; } = [AutoDeepLabSearchSpace.SpaceName];

    public IReadOnlyList<string> OptionNames { get; } = ["dartsWarmupEpochs"];

    /// <summary>The progress value of a layer's level on the path decoded so far, e.g. "path.3".</summary>
    public static string PathKey(int layer) => PathPrefix + layer.ToString(CultureInfo.InvariantCulture);

    public ArchitectureView? Describe(OneShotProgress step, ISearchSpace space)
    {
        if (space is not AutoDeepLabSearchSpace adl || !step.Alpha().TryGetValue(CellType, out var edges)) return null;
        int blocks = adl.Options.Blocks;
        if (edges.Count != SuperCell.EdgeCount(blocks)) return null;
        var cell = DartsGenotype.Derive(edges.Select(e => CellOps.Names.Select(op => e.Value.GetValueOrDefault(op)).ToArray()).ToArray(), blocks);
        var path = new List<int>();
        for (int layer = 1; layer <= adl.Options.Layers; layer++)
        {
            if (!step.Values.TryGetValue(PathKey(layer), out var level)) return null;
            path.Add((int)level);
        }
        return adl.Describe(adl.Architecture(cell, path));
    }

    public IOneShotRun Start(OneShotContext context, Stream? checkpoint)
    {
        var run = new AutoDeepLabRun(context, new BilevelSettings { ArchLearningRate = 3e-3 });
        if (checkpoint is not null) run.Load(checkpoint);
        return run;
    }
}

/// <summary>An Auto-DeepLab search in progress: one epoch per step, checkpointed by the job between epochs.</summary>
internal sealed class AutoDeepLabRun : IOneShotRun
{
    private readonly OneShotContext _context;
    private readonly BilevelSettings _settings;
    private readonly AutoDeepLabSearchSpace _space;
    private readonly ImageDataset _weightsHalf;
    private readonly ImageDataset _alphaHalf;
    private readonly AutoDeepLabSupernet _net;
    private readonly Parameter _alpha;
    private readonly Parameter _beta;
    private readonly BilevelOptimizer _optimizer;
    private readonly Device _device;
    private int _epoch;
    private double _validationMetric;

    private sealed record Header(int Epoch, double ValidationMetric);

    public AutoDeepLabRun(OneShotContext context, BilevelSettings settings)
    {
        _context = context;
        _settings = settings;
        _space = (AutoDeepLabSearchSpace)context.Space;
        _device = context.Trainer.Device;
        var o = context.Options;
        var data = DataSplit.Fraction(context.TrainSplit, o.ProxyFraction, o.Seed);
        (_weightsHalf, _alphaHalf) = DataSplit.TrainValidation(data, 0.5, o.Seed + 1);
        if (_weightsHalf.Count == 0 || _alphaHalf.Count == 0) throw new ArgumentException("Auto-DeepLab needs at least two training images to split between weights and architecture.");
        var input = context.TrainSplit;
        var so = _space.Options;
        (_net, _alpha, _beta) = TorchRuntime.Seeded(o.Seed, () =>
        {
            var n = new AutoDeepLabSupernet(input.Channels, input.Height, input.Width, input.NumClasses, so);
            n.to(_device);
            using var init = NewDisposeScope();
            // Near-uniform starts with ties broken at random, as DARTS starts alpha.
            var alpha = new Parameter((1e-3 * randn(SuperCell.EdgeCount(so.Blocks), CellOps.Names.Count, device: _device)).MoveToOuterDisposeScope());
            var beta = new Parameter((1e-3 * randn(so.Layers, so.Levels, 3, device: _device)).MoveToOuterDisposeScope());
            return (n, alpha, beta);
        });
        _optimizer = new BilevelOptimizer(_net, [_alpha, _beta], Output, context.Task, settings);
    }

    private Tensor Output(Tensor x, Tensor[] architecture) =>
        _net.call(x, nn.functional.softmax(architecture[0], -1), AutoDeepLabSupernet.MoveWeights(architecture[1]));

    public int Epochs => _context.Options.ProxyEpochs;

    private int WarmupEpochs => _context.Options.StrategyOptions.DartsWarmupEpochs ?? Epochs / 2;

    public bool Finished => _epoch >= Epochs;

    public OneShotProgress Step(CancellationToken ct)
    {
        int epoch = _epoch + 1;
        (var values, _validationMetric) = BilevelEpoch.Step("Auto-DeepLab", _optimizer, new FixedArchitecture(this), _context, _settings, _weightsHalf, _alphaHalf,
            epoch, Epochs, WarmupEpochs, ct);
        _epoch = epoch;
        var weights = DartsGenotype.Weights(_alpha);
        for (int e = 0; e < weights.Length; e++)
            for (int k = 0; k < weights[e].Length; k++)
                values[OneShotProgress.AlphaKey(AutoDeepLabMethod.CellType, e, CellOps.Names[k])] = weights[e][k];
        var (path, logWeight) = Path();
        for (int layer = 1; layer <= path.Length; layer++) values[AutoDeepLabMethod.PathKey(layer)] = path[layer - 1];
        values["pathProbability"] = Math.Exp(logWeight);
        return new OneShotProgress(epoch, Epochs, values);
    }

    private (int[] Levels, double LogWeight) Path() => AutoDeepLabSupernet.DecodePath(_beta);

    public (IArchitecture Architecture, double ValidationMetric) Derive()
    {
        var cell = DartsGenotype.Derive(_alpha, null, _space.Options.Blocks);
        return (_space.Architecture(cell, Path().Levels), _validationMetric);
    }

    public void SaveCheckpoint(Stream output)
    {
        using var writer = new BinaryWriter(output, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(JsonSerializer.Serialize(new Header(_epoch, _validationMetric)));
        _net.save(writer);
        _optimizer.Save(writer);
    }

    public void Load(Stream input)
    {
        using var reader = new BinaryReader(input, System.Text.Encoding.UTF8, leaveOpen: true);
        var header = JsonSerializer.Deserialize<Header>(reader.ReadString()) ?? throw new InvalidDataException("The Auto-DeepLab checkpoint has no header.");
        _net.load(reader);
        _optimizer.Load(reader);
        (_epoch, _validationMetric) = (header.Epoch, header.ValidationMetric);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _net.Dispose();
    }

    /// <summary>The supernet at the current alpha and beta as a plain network, for the trainer's evaluation.</summary>
    private sealed class FixedArchitecture(AutoDeepLabRun run) : nn.Module<Tensor, Tensor>("AutoDeepLabSupernetView")
    {
        public override Tensor forward(Tensor x) => run.Output(x, [run._alpha.detach(), run._beta.detach()]);

        public override void train(bool on = true) => run._net.train(on);
    }
}
