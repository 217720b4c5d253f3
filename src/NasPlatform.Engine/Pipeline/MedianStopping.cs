using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Pipeline;

/// <summary>
/// The median stopping rule (Golovin et al. 2017, Google Vizier): after epoch e, a trial whose best
/// validation metric so far is below the median, over completed trials of the same length, of their
/// mean metric over epochs 1..e stops training; its metric so far is its result. Needs at least
/// <see cref="MinCompleted"/> completed curves to compare with.
/// </summary>
public sealed class MedianStopping
{
    public const int MinCompleted = 3;

    private readonly List<IReadOnlyList<EpochReport>> _completed = [];

    public void Completed(IReadOnlyList<EpochReport> history)
    {
        if (history.Count > 0 && history.Count == history[^1].Epochs) _completed.Add(history);
    }

    /// <param name="history">The running trial's epochs so far, the latest last.</param>
    public bool ShouldStop(IReadOnlyList<EpochReport> history)
    {
        var latest = history[^1];
        if (latest.Epoch >= latest.Epochs || latest.ValidationMetric is null) return false;
        var means = _completed.Where(c => c.Count == latest.Epochs)
            .Select(c => c.Take(latest.Epoch).Average(r => r.ValidationMetric ?? 0)).Order().ToList();
        if (means.Count < MinCompleted) return false;
        double median = means.Count % 2 == 1 ? means[means.Count / 2] : (means[means.Count / 2 - 1] + means[means.Count / 2]) / 2;
        return history.Max(r => r.ValidationMetric ?? 0) < median;
    }
}
