namespace NasPlatform.Web.Components.Shared;

/// <summary>
/// Runs an action at most once per interval however often it is requested; a request made while a run
/// is pending is folded into it, one made during a run schedules the next. Disposing stops further runs.
/// </summary>
public sealed class Throttle(TimeSpan interval, Func<Task> action) : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private int pending;
    private long lastRun = Environment.TickCount64 - (long)interval.TotalMilliseconds;

    public void Request()
    {
        if (stop.IsCancellationRequested || Interlocked.Exchange(ref pending, 1) == 1) return;
        _ = RunAsync();
    }

    private async Task RunAsync()
    {
        try
        {
            double wait = interval.TotalMilliseconds - (Environment.TickCount64 - Interlocked.Read(ref lastRun));
            if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), stop.Token);
            Volatile.Write(ref pending, 0);
            Interlocked.Exchange(ref lastRun, Environment.TickCount64);
            if (!stop.IsCancellationRequested) await action();
        }
        catch (Exception)
        {
            // cancelled, or the page went away while refreshing: the next request tries again
            Volatile.Write(ref pending, 0);
        }
    }

    public void Dispose() => stop.Cancel();
}
