using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Pipeline;

/// <summary>
/// How many final epochs fit in what a total time budget leaves after the search: the selected trial's measured
/// training speed (images per second, median over its epochs; the proxy runs the same network, batch size and data
/// pipeline) sets the time per final epoch. A margin is kept for the test evaluation, the latency measurement and the
/// exports that follow the training.
/// </summary>
public static class FinalBudget
{
    /// <summary>Seconds kept back after the last epoch, and the share of the remaining time kept back for epochs running slower than measured.</summary>
    public const double ReserveSeconds = 60, SlowdownShare = 0.1;

    /// <returns>Epochs to train (1 to <paramref name="requested"/>) and, when fewer than requested, why.</returns>
    public static (int Epochs, string? Reason) Epochs(int requested, double? remainingSeconds, IReadOnlyList<EpochReport> trialHistory, int finalImages)
    {
        if (remainingSeconds is not { } left) return (requested, null);
        var speeds = trialHistory.Select(e => e.ImagesPerSecond).Where(s => s > 0 && double.IsFinite(s)).Order().ToArray();
        if (speeds.Length == 0 || finalImages <= 0) return (requested, null);
        double epochSeconds = finalImages / speeds[speeds.Length / 2];
        double usable = (left - ReserveSeconds) * (1 - SlowdownShare);
        int fit = (int)Math.Floor(usable / epochSeconds);
        if (fit >= requested) return (requested, null);
        int epochs = Math.Max(1, fit);
        return (epochs, $"{epochs} of {requested} final epochs fit in the {left / 60:0.#} min the total budget left " +
                        $"(about {epochSeconds:0} s per epoch at the selected trial's {speeds[speeds.Length / 2]:0} images/s)");
    }
}
