namespace NasPlatform.Engine.Strategies;

/// <summary>
/// A strategy whose budget-relative sizes (see <see cref="StrategyOptions.ForBudget"/>) can be set again once the budget
/// is known in trials. A time budget is known in trials only after some have run: sized from a trial cap of 10,000, a
/// 45-minute evolution search that fits 70 trials would fill a population of 100 with random samples and never evolve.
/// The new sizes are part of the saved state, so a resumed search goes on with them.
/// </summary>
public interface IBudgetSized
{
    /// <param name="sized">Options already sized for the estimated budget; only their budget-relative fields are read.</param>
    void SizeFor(StrategyOptions sized);
}
