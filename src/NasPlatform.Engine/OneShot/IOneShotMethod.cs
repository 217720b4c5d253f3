using NasPlatform.Engine.Components;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.OneShot;

/// <summary>
/// What a one-shot method may use: the search's space and task, the train and validation splits (never the test part), its
/// options, this worker's trainer and, for a latency term, the search's latency meter and the device's per-layer table
/// (new layers measured are added to it; null meter: no latency term).
/// </summary>
public sealed record OneShotContext(ISearchSpace Space, ITask Task, ImageDataset TrainSplit, ImageDataset ValidationSplit, SearchOptions Options, Trainer Trainer,
    Latency.LatencyMeter? Meter = null, Latency.LatencyTable? LatencyTable = null);

/// <summary>
/// One step of a one-shot search (an epoch of supernet training) and what it measured, for pages and logs.
/// Values named <c>alpha.{cell}.{edge}.{op}</c> are the architecture's weight of an op on an edge of a cell
/// (softmax over the edge's ops), which pages chart per edge whatever the method.
/// </summary>
public sealed record OneShotProgress(int Epoch, int Epochs, IReadOnlyDictionary<string, double> Values)
{
    public const string AlphaPrefix = "alpha.";

    /// <summary>Values named <c>edge.{cell}.{edge}</c> are an edge's own weight (PC-DARTS's edge normalization), which scales its op weights.</summary>
    public const string EdgePrefix = "edge.";

    /// <summary>The name of an op's weight on an edge, e.g. "alpha.normal.3.sep_conv_3x3".</summary>
    public static string AlphaKey(string cell, int edge, string op) => $"{AlphaPrefix}{cell}.{edge}.{op}";

    /// <summary>The name of an edge's weight, e.g. "edge.reduce.5".</summary>
    public static string EdgeKey(string cell, int edge) => $"{EdgePrefix}{cell}.{edge}";

    /// <summary>Whether a value is one of the architecture's weights (charted per edge, too many for a log line).</summary>
    public static bool IsArchitectureWeight(string key) =>
        key.StartsWith(AlphaPrefix, StringComparison.Ordinal) || key.StartsWith(EdgePrefix, StringComparison.Ordinal);

    /// <summary>The architecture weights of this step: cell -> edge -> op -> weight.</summary>
    public IReadOnlyDictionary<string, SortedDictionary<int, Dictionary<string, double>>> Alpha()
    {
        var cells = new Dictionary<string, SortedDictionary<int, Dictionary<string, double>>>();
        foreach (var (key, value) in Values)
        {
            if (!key.StartsWith(AlphaPrefix, StringComparison.Ordinal)) continue;
            var parts = key[AlphaPrefix.Length..].Split('.', 3);
            if (parts.Length != 3 || !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out int edge)) continue;
            if (!cells.TryGetValue(parts[0], out var edges)) cells[parts[0]] = edges = [];
            if (!edges.TryGetValue(edge, out var ops)) edges[edge] = ops = [];
            ops[parts[2]] = value;
        }
        return cells;
    }

    /// <summary>The step as an epoch of history: the values named trainLoss, trainMetric and validationMetric.</summary>
    public EpochReport ToEpochReport() => new(Epoch, Epochs, Values.GetValueOrDefault("trainLoss"), Values.GetValueOrDefault("trainMetric"),
        Values.TryGetValue("validationMetric", out var v) ? v : null, null, 0, 0);
}

/// <summary>
/// A one-shot search in progress. It advances one step at a time so the job around it can
/// checkpoint, report progress and stop between steps; a run restored from a checkpoint continues
/// where the saved one stopped.
/// </summary>
public interface IOneShotRun : IDisposable
{
    bool Finished { get; }

    OneShotProgress Step(CancellationToken ct);

    /// <summary>Everything needed to continue after a crash (weights, architecture parameters, optimizer state, random state).</summary>
    void SaveCheckpoint(Stream output);

    /// <summary>The architecture the search ends with, and its validation metric as the run estimates it; only once <see cref="Finished"/>.</summary>
    (IArchitecture Architecture, double ValidationMetric) Derive();
}

/// <summary>
/// A registered one-shot method (DARTS, Auto-DeepLab): the search is one long, checkpointed job
/// instead of many trials, and it ends with one derived architecture for the final training.
/// </summary>
public interface IOneShotMethod : IRegistered
{
    /// <summary>The fields of StrategyOptions it reads (forms show these).</summary>
    IReadOnlyList<string> OptionNames => [];

    /// <summary>The spaces it can search (a one-shot method needs a supernet of the space).</summary>
    IReadOnlyList<string> Spaces { get; }

    /// <summary>The architecture a step's values stand for (for DARTS: the genotype its alpha derives), for pages; null when the method has none.</summary>
    ArchitectureView? Describe(OneShotProgress step, ISearchSpace space) => null;

    /// <param name="checkpoint">A stream written by <see cref="IOneShotRun.SaveCheckpoint"/>, or null to start afresh.</param>
    IOneShotRun Start(OneShotContext context, Stream? checkpoint);
}

public static class OneShotRunExtensions
{
    /// <summary>One step while holding the device, so no trial trains or latency is measured on the same cores meanwhile.</summary>
    public static OneShotProgress StepOnDevice(this IOneShotRun run, CancellationToken ct)
    {
        Torch.TorchRuntime.DeviceLock.Wait(ct);
        try
        {
            return run.Step(ct);
        }
        finally
        {
            Torch.TorchRuntime.DeviceLock.Release();
        }
    }
}
