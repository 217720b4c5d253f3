using NasPlatform.Engine.Components;
using NasPlatform.Engine.Strategies;

namespace NasPlatform.Benchmarks;

/// <summary>
/// How strategies do at the budgets users give, on a toy objective shaped like MnasNet's space (7
/// blocks x 6 decisions of 2-5 options; reward = share of decisions equal to a hidden target, so no
/// training is needed): mean best reward after N trials over seeds, for random search, evolution
/// with its budget-relative sizes, the RL controller over a grid of learning rates and batch
/// sizes, and NAO over its first step size. Those defaults come from this table.
/// </summary>
public static class StrategyTuning
{
    public static void Run(int seeds, IReadOnlyList<int> budgets)
    {
        int[] options = [5, 2, 2, 3, 3, 3];
        var space = new DecisionSpace(Enumerable.Range(0, 42).Select(i => new Decision($"d{i}", options[i % 6])).ToList());
        var target = space.Decisions.Select((d, i) => (i * 7 + 1) % d.Cardinality).ToArray();
        double Reward(IReadOnlyList<int> c) => (double)c.Where((x, i) => x == target[i]).Count() / target.Length;

        var configs = new List<(string Name, string Strategy, Func<int, StrategyOptions> Options)>
        {
            ("random", "random", _ => new StrategyOptions()),
            ("evolution (P, S from budget)", "evolution", n => new StrategyOptions().ForBudget(n)),
        };
        foreach (var lr in new[] { 5e-4, 2e-3, 5e-3, 1e-2, 2e-2 })
            foreach (int? batch in new int?[] { null, 2 })
                configs.Add(($"mnasnet-rl lr {lr:0.####} batch {(batch is { } b ? b.ToString() : "from budget")}", "mnasnet-rl",
                    n => new StrategyOptions { LearningRate = lr, BatchSize = batch }.ForBudget(n)));
        foreach (var step in new[] { 0.05, 0.1, 0.25, 0.5 })
            configs.Add(($"nao step {step} (sizes from budget)", "nao", n => new StrategyOptions { NaoStepSize = step }.ForBudget(n)));

        Console.WriteLine($"toy objective, {space.Decisions.Count} decisions, mean best reward over {seeds} seeds at " + string.Join(", ", budgets.Select(b => $"{b}")) + " trials");
        foreach (var (name, strategyName, optionsFor) in configs)
        {
            var cells = budgets.Select(budget =>
            {
                double sum = 0;
                for (int seed = 1; seed <= seeds; seed++)
                {
                    using var strategy = SearchCatalog.BuiltIn.Strategies.Get(strategyName).Create(space, seed, optionsFor(budget));
                    double best = 0;
                    for (int t = 0; t < budget; t++)
                    {
                        var c = strategy.Propose();
                        double r = Reward(c);
                        best = Math.Max(best, r);
                        strategy.Report(c, r);
                    }
                    sum += best;
                }
                return sum / seeds;
            }).ToList();
            Console.WriteLine($"  {name,-40} " + string.Join("  ", cells.Select(c => $"{c:0.000}")));
        }
    }
}
