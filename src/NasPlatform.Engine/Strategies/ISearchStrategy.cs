namespace NasPlatform.Engine.Strategies;

/// <summary>
/// A search strategy (the survey's "search strategy" axis). It proposes choice vectors over a
/// <see cref="DecisionSpace"/> and learns from the rewards reported back. Its proposals depend only
/// on its seed and on the sequence of Propose/Report calls it has seen, and its complete state
/// (including random generator state and any pending proposals) round-trips through
/// <see cref="SaveState"/> / <see cref="LoadState"/>, so a search can resume after a crash and
/// propose exactly what an uninterrupted one would have.
/// Several proposals may be outstanding at once (parallel workers); results may arrive in any order.
/// Strategies never touch the database, the file system or the trainer.
/// </summary>
public interface ISearchStrategy : IDisposable
{
    /// <summary>Registry name, e.g. "random", "evolution", "mnasnet-rl".</summary>
    string Name { get; }

    DecisionSpace Space { get; }

    /// <summary>The next candidate to evaluate.</summary>
    int[] Propose();

    /// <summary>The reward obtained by a proposed candidate (higher is better).</summary>
    void Report(IReadOnlyList<int> choices, double reward);

    /// <summary>The full state as a JSON document.</summary>
    string SaveState();

    /// <summary>Restores a state written by <see cref="SaveState"/> of a strategy built with the same space and options.</summary>
    void LoadState(string json);
}
