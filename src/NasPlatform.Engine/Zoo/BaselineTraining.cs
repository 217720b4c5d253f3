using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Zoo;

/// <summary>What one baseline came to: trained (test metric, recipe) or skipped because it is too slow for the budget to matter.</summary>
public sealed record BaselineResult(
    string Name,
    string Family,
    double Width,
    string Space,
    string ArchitectureJson,
    string ArchitectureHash,
    OpCost Cost,
    LatencyStats? Latency,
    string Status,
    string? Reason,
    Evaluation? Test,
    TrainingRecipe? Recipe,
    double Seconds)
{
    public const string Trained = "trained", Skipped = "skipped", Failed = "failed";

    /// <summary>The model is at least as good in the metric and at least as fast as this baseline, and better in one of them.</summary>
    public bool DominatedBy(double metric, double latencyMs) =>
        Status == Trained && Test is { } t && Latency is { } l && Dominates(metric, latencyMs, t.Metric, l.MedianMs);

    /// <summary>(metric, latency) is at least as good as (baseMetric, baseLatency) in both and better in one.</summary>
    public static bool Dominates(double metric, double latencyMs, double baseMetric, double baseLatencyMs) =>
        metric >= baseMetric && latencyMs <= baseLatencyMs && (metric > baseMetric || latencyMs < baseLatencyMs);
}

/// <summary>
/// Trains zoo members exactly like the search's final model (<see cref="FinalTraining"/>: same recipe,
/// data and test evaluation). Latency does not depend on the weights, so every member is measured
/// first and only those that could matter for the budget are trained.
/// </summary>
public static class BaselineTraining
{
    /// <summary>Latency above which a baseline is not trained: the hard budget with its tolerance, or twice a soft budget.</summary>
    public static double CutoffMs(LatencyTarget target) =>
        target.Constraint == LatencyConstraint.Hard ? target.BudgetMs * (1 + LatencyBudget.Tolerance) : 2 * target.BudgetMs;

    public static BaselineResult Run(ZooMember member, ITask task, DatasetBundle data, SearchOptions options, SearchComponents components,
        Trainer trainer, LatencyMeter meter, Action<EpochReport>? onEpoch, CancellationToken ct)
    {
        var candidate = new Candidate(member.Architecture, member.Space.Graph(member.Architecture), task);
        LatencyStats latency;
        using (var untrained = candidate.Build(options.Seed))
            latency = meter.Measure(candidate, untrained, ct);
        double cutoff = CutoffMs(new LatencyTarget(options.LatencyBudgetMs, options.Constraint));
        if (latency.MedianMs > cutoff)
        {
            return Result(member, candidate, latency, BaselineResult.Skipped,
                $"{latency.MedianMs:0.###} ms is over {cutoff:0.###} ms: too slow to matter for this budget, not trained.", null);
        }
        var final = FinalTraining.Run(data, options, components, candidate, trainer, onEpoch, ct, meter.Remote);
        using (final.Network)
            return Result(member, candidate, final.Latency, BaselineResult.Trained, null, final);
    }

    /// <summary>A member whose measurement or training threw (e.g. diverged), with the reason.</summary>
    public static BaselineResult Failure(ZooMember m, ITask task, string reason)
    {
        var c = new Candidate(m.Architecture, m.Space.Graph(m.Architecture), task);
        return Result(m, c, null, BaselineResult.Failed, reason, null);
    }

    private static BaselineResult Result(ZooMember m, Candidate c, LatencyStats? latency, string status, string? reason, FinalModel? final) =>
        new(m.Name, m.Family, m.Width, m.Space.Name, c.Architecture.ToJson(), c.Hash, c.Cost, latency, status, reason, final?.Test, final?.Recipe,
            final?.TrainSeconds ?? 0);
}
