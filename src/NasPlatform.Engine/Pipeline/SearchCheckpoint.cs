using System.Text.Json;

namespace NasPlatform.Engine.Pipeline;

/// <summary>
/// Everything needed to continue a search after a crash or a stop: the finished trials and the
/// strategy's complete state after the last of them. A resumed search proposes exactly what an
/// uninterrupted one would have (given the same results).
/// </summary>
public sealed record SearchCheckpoint(
    int Version,
    string Space,
    string Strategy,
    long Seed,
    string StrategyState,
    IReadOnlyList<TrialRecord> Trials,
    double ElapsedSeconds)
{
    public const int CurrentVersion = 2;

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static SearchCheckpoint FromJson(string json)
    {
        var checkpoint = JsonSerializer.Deserialize<SearchCheckpoint>(json, Options)
                         ?? throw new FormatException("The checkpoint is empty.");
        if (checkpoint.Version != CurrentVersion)
            throw new FormatException($"Checkpoint version {checkpoint.Version} is not supported (expected {CurrentVersion}).");
        return checkpoint;
    }

    /// <summary>Throws unless this checkpoint belongs to a search with these options.</summary>
    public void EnsureMatches(SearchOptions options)
    {
        if (Space != options.Space || Strategy != options.Strategy || Seed != options.Seed)
            throw new ArgumentException(
                $"The checkpoint is of a '{Strategy}' search over '{Space}' with seed {Seed}; this search is '{options.Strategy}' over '{options.Space}' with seed {options.Seed}.");
        if (Trials.Count > options.MaxTrials)
            throw new ArgumentException($"The checkpoint already holds {Trials.Count} trials, more than the budget of {options.MaxTrials}.");
    }
}
