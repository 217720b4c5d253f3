using NasPlatform.Engine.Objectives;

namespace NasPlatform.Engine.Pipeline;

/// <summary>Whether a search's final model keeps the latency budget, as measured after its final training.</summary>
/// <param name="Constraint">soft or hard; only a hard budget is a promise (a soft one is a trade-off).</param>
/// <param name="Tolerance">Relative slack allowed for the measurement's own noise.</param>
/// <param name="Met">Measured median &lt;= budget x (1 + tolerance).</param>
/// <param name="Outcome">"met", "over-budget" (hard budget missed) or "soft" (a trade-off, no promise).</param>
public sealed record BudgetCheck(string Constraint, double BudgetMs, double MeasuredMs, double Tolerance, bool Met, string Outcome, string Message);

/// <summary>
/// A hard latency budget is a promise: the selected architecture is the best one whose trial latency
/// is within the budget, and the final model's measured latency is checked against it. When no trial
/// met the budget the search says so (outcome over-budget) instead of handing the model back as fine.
/// </summary>
public static class LatencyBudget
{
    /// <summary>Batch-1 medians of one model spread by a few percent between measurements on a shared CPU.</summary>
    public const double Tolerance = 0.10;

    public const string Met = "met", OverBudget = "over-budget", Soft = "soft";

    /// <summary>The trial to train fully: under a hard budget the best by reward among those within it (if any), else the best by reward.</summary>
    public static T? Select<T>(IReadOnlyCollection<T> succeeded, LatencyTarget target, Func<T, double> reward, Func<T, int> number, Func<T, double> latencyMs)
        where T : class
    {
        if (target.Constraint == LatencyConstraint.Hard)
        {
            var within = succeeded.Where(t => latencyMs(t) <= target.BudgetMs).ToList();
            if (within.Count > 0) return TrialEvaluator.Best(within, reward, number);
        }
        return TrialEvaluator.Best(succeeded, reward, number);
    }

    public static BudgetCheck Check(LatencyTarget target, double measuredMs)
    {
        bool met = measuredMs <= target.BudgetMs * (1 + Tolerance);
        string constraint = target.Constraint == LatencyConstraint.Hard ? "hard" : "soft";
        string outcome = target.Constraint == LatencyConstraint.Soft ? Soft : met ? Met : OverBudget;
        string message = outcome switch
        {
            Met => $"The model keeps the hard budget: {measuredMs:0.###} ms measured for {target.BudgetMs:0.###} ms (tolerance {Tolerance:P0}).",
            OverBudget => $"No architecture found keeps the hard budget: the best model measures {measuredMs:0.###} ms for a budget of " +
                          $"{target.BudgetMs:0.###} ms (tolerance {Tolerance:P0}). Raise the budget, widen the search (more trials, a space with faster " +
                          "architectures) or use this model knowing it is over budget.",
            _ => $"Soft budget: {measuredMs:0.###} ms measured for {target.BudgetMs:0.###} ms ({(met ? "within" : "over")} it; a trade-off, not a promise).",
        };
        return new BudgetCheck(constraint, target.BudgetMs, measuredMs, Tolerance, met, outcome, message);
    }
}
