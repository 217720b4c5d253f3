using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;

namespace NasPlatform.Engine.Pipeline;

/// <summary>A finalist's latency as its trial measured it and as measured again before the final training.</summary>
public sealed record FinalistCheck(int Trial, double TrialLatencyMs, double RemeasuredMs, bool WithinBudget);

/// <summary>
/// Under a hard budget, the best trial by reward among those measured within it is the one most likely to
/// have been measured low by chance (many near-budget trials, one noisy figure each). So the few best
/// candidates near or under the budget are measured again, with twice the runs, and the best whose new
/// figure keeps the budget is trained. Shared by the CLI's loop and the platform's final job.
/// </summary>
public static class Finalists
{
    public const int Count = 5;

    public static (T? Chosen, IReadOnlyList<FinalistCheck> Checks) Choose<T>(IReadOnlyCollection<T> succeeded, LatencyTarget target,
        Func<T, double> reward, Func<T, int> number, Func<T, double> latencyMs, Func<T, Candidate> candidate,
        LatencyMeter meter, CancellationToken ct) where T : class
    {
        var plain = LatencyBudget.Select(succeeded, target, reward, number, latencyMs);
        if (target.Constraint != LatencyConstraint.Hard || plain is null) return (plain, []);
        var near = succeeded.Where(t => latencyMs(t) <= target.BudgetMs * (1 + LatencyBudget.Tolerance))
            .OrderByDescending(reward).ThenBy(number).Take(Count).ToList();
        if (near.Count == 0) return (plain, []);

        var remeasure = meter.With(meter.Options with { TimedRuns = meter.Options.TimedRuns * 2 });
        var checks = new List<FinalistCheck>();
        T? chosen = null;
        foreach (var t in near)
        {
            ct.ThrowIfCancellationRequested();
            var c = candidate(t);
            using var network = c.Build(1);
            double ms = remeasure.Measure(c, network, ct).MedianMs;
            bool within = ms <= target.BudgetMs;
            checks.Add(new FinalistCheck(number(t), latencyMs(t), ms, within));
            // The list is in reward order: the first that keeps the budget on its new figure wins.
            if (within) { chosen = t; break; }
        }
        return (chosen ?? plain, checks);
    }
}
