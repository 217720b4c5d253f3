using System.Text.Json;
using NasPlatform.Engine.Components;

namespace NasPlatform.Engine.Objectives;

/// <summary>MnasNet's reward ACC(m) x (LAT(m) / T)^w, with the soft or hard exponents of the search's constraint.</summary>
public sealed class MnasObjective(LatencyTarget target) : ISearchObjective
{
    public const string ObjectiveName = "mnasnet";

    public string Name => ObjectiveName;

    public TrialScore Score(ObjectiveInput input)
    {
        double reward = MnasReward.Compute(input.Metric, input.LatencyMs, target.BudgetMs, target.Constraint);
        return new TrialScore(reward, new Dictionary<string, double>
        {
            ["metric"] = input.Metric,
            ["latencyFactor"] = MnasReward.Compute(1, input.LatencyMs, target.BudgetMs, target.Constraint),
        });
    }

    public sealed class Definition : IObjectiveDefinition
    {
        public string Name => ObjectiveName;

        public string Description => "MnasNet's multi-objective reward: metric x (latency / budget)^w, w from the soft or hard constraint.";

        public ISearchObjective Create(LatencyTarget target, JsonElement? options)
        {
            ComponentOptions.Read<NoOptions>(options, $"the {Name} objective");
            return new MnasObjective(target);
        }
    }
}
