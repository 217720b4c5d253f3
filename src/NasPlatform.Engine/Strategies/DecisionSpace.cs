namespace NasPlatform.Engine.Strategies;

/// <summary>One categorical choice a strategy makes, e.g. "block3.kernel" with 2 options.</summary>
public sealed record Decision(string Name, int Cardinality);

/// <summary>
/// What a search strategy sees of a search space: an ordered list of categorical decisions.
/// Strategies propose one option index per decision and never need to know what the options mean,
/// so they can be tested on toy spaces in milliseconds and reused across spaces.
/// </summary>
public sealed class DecisionSpace
{
    public DecisionSpace(IReadOnlyList<Decision> decisions)
    {
        if (decisions.Count == 0) throw new ArgumentException("A decision space needs at least one decision.", nameof(decisions));
        foreach (var d in decisions)
            if (d.Cardinality < 1) throw new ArgumentException($"Decision '{d.Name}' has no options.", nameof(decisions));
        Decisions = decisions;
    }

    public IReadOnlyList<Decision> Decisions { get; }

    public int Count => Decisions.Count;

    /// <summary>Number of distinct points (may overflow to +inf for large spaces).</summary>
    public double Size => Decisions.Aggregate(1.0, (acc, d) => acc * d.Cardinality);

    public bool IsValid(IReadOnlyList<int> choices)
    {
        if (choices.Count != Decisions.Count) return false;
        for (int i = 0; i < choices.Count; i++)
            if (choices[i] < 0 || choices[i] >= Decisions[i].Cardinality) return false;
        return true;
    }

    public void Validate(IReadOnlyList<int> choices)
    {
        if (!IsValid(choices))
            throw new ArgumentException($"Choices [{string.Join(',', choices)}] do not fit this space of {Count} decisions.", nameof(choices));
    }

    /// <summary>A stable string key for a choice vector (used to de-duplicate and match results).</summary>
    public static string Key(IReadOnlyList<int> choices) => string.Join('-', choices);
}
