using NasPlatform.Engine.Components;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.OneShot;

/// <summary>What a one-shot method may use: the search's space and task, the train and validation splits (never the test part), its options and this worker's trainer.</summary>
public sealed record OneShotContext(ISearchSpace Space, ITask Task, ImageDataset TrainSplit, ImageDataset ValidationSplit, SearchOptions Options, Trainer Trainer);

/// <summary>One step of a one-shot search (an epoch of supernet training) and what it measured, for pages and logs.</summary>
public sealed record OneShotProgress(int Epoch, int Epochs, IReadOnlyDictionary<string, double> Values)
{
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
    /// <summary>The spaces it can search (a one-shot method needs a supernet of the space).</summary>
    IReadOnlyList<string> Spaces { get; }

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
