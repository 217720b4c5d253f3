using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Spaces;

namespace NasPlatform.Engine.Objectives;

/// <summary>The user's latency target, which every objective receives.</summary>
public sealed record LatencyTarget(double BudgetMs, LatencyConstraint Constraint);

/// <summary>What an objective scores: the task's primary validation metric, the measured latency, the model's cost and,
/// for terms on the topology (priors), its network.</summary>
public sealed record ObjectiveInput(double Metric, double LatencyMs, OpCost Cost, ArchitectureGraph? Graph = null);

/// <summary>A trial's reward (higher is better; what the strategy learns from) and the terms it is made of, for pages and cards.</summary>
public sealed record TrialScore(double Reward, IReadOnlyDictionary<string, double> Terms);

/// <summary>
/// Turns a trial's measurements into the one reward a strategy sees (MnasNet's accuracy x latency
/// term now; a throughput objective or an extra prior term later). Pure: no training, no I/O.
/// </summary>
public interface ISearchObjective
{
    string Name { get; }

    /// <summary>Images per timed run: every latency figure of the search is the time of a batch this large (1: MnasNet's batch-1 latency).</summary>
    int MeasureBatchSize => 1;

    TrialScore Score(ObjectiveInput input);
}

/// <summary>A registered objective: created per search from the latency target and its own options.</summary>
public interface IObjectiveDefinition : IRegistered
{
    /// <exception cref="ArgumentException">The options are not valid.</exception>
    ISearchObjective Create(LatencyTarget target, JsonElement? options);
}
