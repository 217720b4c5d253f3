using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Pipeline;

/// <summary>What one evaluated architecture produced.</summary>
public sealed record TrialOutcome(double ValidationMetric, LatencyStats Latency, OpCost Cost, TrialScore Score,
    IReadOnlyList<EpochReport> History, double Seconds)
{
    public double Reward => Score.Reward;

    /// <summary>What a failed trial counts as: nothing measured, reward 0.</summary>
    public static TrialOutcome Failed(double seconds) => new(0, new LatencyStats(0, 0, 0, 0, 0, 0, 0, 0, 0, ""), default,
        new TrialScore(0, new Dictionary<string, double>()), [], seconds);
}

/// <summary>A proposal: the strategy's choices, the candidate they decode to, and the earlier result when it was already evaluated.</summary>
public sealed record Proposal(int[] Choices, Candidate Candidate, TrialOutcome? Known);

/// <summary>
/// The one trial pipeline, used by the CLI's loop and the platform's jobs alike: proposals are decoded
/// and de-duplicated against finished trials, candidates are estimated and scored by the search's
/// objective, results go back to the strategy, and the best trial is chosen by one rule.
/// </summary>
public sealed class TrialEvaluator(SearchComponents components, IPerformanceEstimator? estimator, long searchSeed)
{
    public SearchComponents Components { get; } = components;

    /// <summary>
    /// The strategy's next proposal. A repeated architecture is not retrained (the same data and seed
    /// would give the same numbers): its known outcome is reported to the strategy at once.
    /// </summary>
    /// <param name="known">The outcome of a finished trial with this architecture hash, or null.</param>
    public Proposal Propose(ISearchStrategy strategy, Func<string, TrialOutcome?> known)
    {
        var choices = strategy.Propose();
        var candidate = Components.Candidate(Components.Space.Decode(choices));
        var outcome = known(candidate.Hash);
        if (outcome is not null) strategy.Report(choices, outcome.Reward);
        return new Proposal(choices, candidate, outcome);
    }

    /// <summary>Reports a finished trial; a failed one (null) counts as reward 0, so the strategy learns to avoid what cannot be trained.</summary>
    public static void Report(ISearchStrategy strategy, IReadOnlyList<int> choices, double? reward) => strategy.Report(choices, reward ?? 0);

    /// <summary>Trains (at the estimator's fidelity), measures and scores a candidate.</summary>
    public TrialOutcome Evaluate(Candidate candidate, Action<EpochReport>? onEpoch, CancellationToken ct, TrialFidelity? fidelity = null)
    {
        if (estimator is null) throw new InvalidOperationException("This evaluator was made without an estimator.");
        var m = estimator.Estimate(candidate, TrialSeed(searchSeed, candidate.Hash), fidelity, onEpoch, ct);
        var cost = candidate.Cost;
        var score = Components.Objective.Score(new ObjectiveInput(m.ValidationMetric, m.Latency.MedianMs, cost, candidate.Graph));
        return new TrialOutcome(m.ValidationMetric, m.Latency, cost, score, m.History, m.Seconds);
    }

    /// <summary>Initialization/data-order seed of an architecture: the same architecture always trains the same way in a search.</summary>
    public static long TrialSeed(long searchSeed, string architectureHash) => searchSeed * 31 + Convert.ToInt64(architectureHash[..12], 16);

    /// <summary>The best trial by reward, ties to the earliest (as MnasNet selects).</summary>
    public static T? Best<T>(IEnumerable<T> succeeded, Func<T, double> reward, Func<T, int> number) where T : class =>
        succeeded.OrderByDescending(reward).ThenBy(number).FirstOrDefault();
}
