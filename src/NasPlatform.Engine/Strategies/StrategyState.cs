using System.Text.Json;

namespace NasPlatform.Engine.Strategies;

/// <summary>
/// What every saved strategy state carries, so that loading a state into the wrong strategy or a
/// different space fails loudly instead of silently proposing nonsense.
/// </summary>
internal abstract class StrategyStateBase
{
    public string Strategy { get; set; } = "";
    public int[] Cardinalities { get; set; } = [];
    public ulong[] Rng { get; set; } = [];
}

/// <summary>A proposal (and its reward once known) as it appears in saved states.</summary>
internal sealed class ScoredChoices
{
    public int[] Choices { get; set; } = [];
    public double Reward { get; set; }
}

internal static class StrategyState
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string Save<T>(T state, string strategy, DecisionSpace space, ulong[] rng) where T : StrategyStateBase
    {
        state.Strategy = strategy;
        state.Cardinalities = space.Decisions.Select(d => d.Cardinality).ToArray();
        state.Rng = rng;
        return JsonSerializer.Serialize(state, Json);
    }

    public static T Load<T>(string json, string strategy, DecisionSpace space) where T : StrategyStateBase
    {
        var state = JsonSerializer.Deserialize<T>(json, Json)
            ?? throw new ArgumentException("The state document is empty.", nameof(json));
        if (state.Strategy != strategy)
            throw new ArgumentException($"The state was saved by strategy '{state.Strategy}', not '{strategy}'.", nameof(json));
        if (!state.Cardinalities.SequenceEqual(space.Decisions.Select(d => d.Cardinality)))
            throw new ArgumentException("The state was saved for a different decision space.", nameof(json));
        return state;
    }

    /// <summary>Checks shared by every Report: the vector must fit the space and the reward must be storable.</summary>
    public static void CheckReport(DecisionSpace space, IReadOnlyList<int> choices, double reward)
    {
        space.Validate(choices);
        // JSON cannot carry NaN or infinities, and they would poison rankings and baselines anyway.
        if (!double.IsFinite(reward)) throw new ArgumentException($"Reward {reward} is not a finite number.", nameof(reward));
    }

    /// <summary>Binary state (a module's weights, an optimizer's state) as text for the JSON document.</summary>
    public static string ToBase64(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) write(writer);
        return Convert.ToBase64String(stream.ToArray());
    }

    public static void FromBase64(string data, Action<BinaryReader> read)
    {
        using var stream = new MemoryStream(Convert.FromBase64String(data));
        using var reader = new BinaryReader(stream);
        read(reader);
    }

    public static int[] Uniform(DecisionSpace space, Common.SeededRandom rng)
    {
        var choices = new int[space.Count];
        for (int i = 0; i < choices.Length; i++) choices[i] = rng.Next(space.Decisions[i].Cardinality);
        return choices;
    }
}
