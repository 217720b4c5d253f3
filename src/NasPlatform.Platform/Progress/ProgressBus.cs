namespace NasPlatform.Platform.Progress;

/// <summary>
/// In-process fan-out of progress to whoever listens (Blazor pages subscribe here; the hub
/// forwarder is one more listener). Listener failures never reach the job that reported.
/// </summary>
public sealed class ProgressBus : IProgressSink
{
    public event Func<DatasetUpdate, Task>? Dataset;
    public event Func<SearchUpdate, Task>? Search;
    public event Func<TrialUpdate, Task>? Trial;
    public event Func<EpochUpdate, Task>? Epoch;

    public Task DatasetChanged(DatasetUpdate update) => Raise(Dataset, update);
    public Task SearchChanged(SearchUpdate update) => Raise(Search, update);
    public Task TrialChanged(TrialUpdate update) => Raise(Trial, update);
    public Task EpochFinished(EpochUpdate update) => Raise(Epoch, update);

    private static async Task Raise<T>(Func<T, Task>? handlers, T update)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Func<T, Task>>())
        {
            try { await handler(update); }
            catch { /* a closed page or dropped connection must not fail a trial */ }
        }
    }
}
