using NasPlatform.Engine.Strategies;

namespace NasPlatform.Engine.Tests.Strategies;

/// <summary>
/// A toy objective with a known optimum (nni's strategy sanity-test idea): the reward is the fraction
/// of decisions equal to a hidden target, so strategies can be judged in milliseconds, without training.
/// </summary>
internal sealed class ToyProblem
{
    public ToyProblem(int decisions, int options)
    {
        Space = new DecisionSpace(Enumerable.Range(0, decisions).Select(i => new Decision($"d{i}", options)).ToList());
        // Fixed and not all-equal, so a strategy stuck on one option cannot score well by accident.
        Target = Enumerable.Range(0, decisions).Select(i => (i * 7 + 1) % options).ToArray();
    }

    public DecisionSpace Space { get; }

    public int[] Target { get; }

    public double Reward(IReadOnlyList<int> choices) =>
        (double)choices.Where((c, i) => c == Target[i]).Count() / Target.Length;
}

/// <summary>
/// Plays the search loop against a strategy: propose, and report results with a number of evaluations
/// still in flight, as parallel workers would. Its in-flight queue is the orchestrator's memory, so it
/// can carry on with a strategy restored from a saved state.
/// </summary>
internal sealed class SearchDriver(ToyProblem problem, int inFlight = 0)
{
    private readonly Queue<int[]> _running = new();

    public List<int[]> Proposals { get; } = [];

    public List<double> Rewards { get; } = [];

    public SearchDriver Run(ISearchStrategy strategy, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            var choices = strategy.Propose();
            Proposals.Add(choices);
            Rewards.Add(problem.Reward(choices));
            _running.Enqueue(choices);
            while (_running.Count > inFlight)
            {
                var done = _running.Dequeue();
                strategy.Report(done, problem.Reward(done));
            }
        }

        return this;
    }
}
