namespace NasPlatform.Engine.Pipeline;

/// <summary>
/// One rule for the CLI's loop and the platform's coordinator: a failed trial is recorded with its
/// error, the strategy learns reward 0, and the search goes on; but when the last
/// <see cref="MaxConsecutiveFailures"/> trained trials all failed, the cause is the data or the setup,
/// not the architectures, and the search stops with the last error instead of burning its budget.
/// Trials skipped by the latency predictor and cache hits are not trainings and do not count.
/// </summary>
public static class FailurePolicy
{
    public const int MaxConsecutiveFailures = 5;

    public readonly record struct Finished(bool Failed, bool Skipped, bool FromCache, string? Error);

    /// <param name="inOrder">Finished trials in the order they finished.</param>
    /// <returns>Why the search must stop, or null to go on.</returns>
    public static string? StopReason(IEnumerable<Finished> inOrder)
    {
        int streak = 0;
        string? last = null;
        foreach (var t in inOrder)
        {
            if (t.Skipped || t.FromCache) continue;
            if (!t.Failed)
            {
                streak = 0;
                continue;
            }
            streak++;
            last = t.Error;
        }
        return streak >= MaxConsecutiveFailures
            ? $"The last {streak} trials failed in a row, so the search stopped (the cause is likely the data or the settings). Last error: {last}"
            : null;
    }
}
