using System.Text.Json;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Objectives;

namespace NasPlatform.Web.Tests.Toy;

/// <summary>A test-only objective whose reward is unmistakable: ten times the metric, latency ignored.</summary>
public sealed class ToyObjective : IObjectiveDefinition, ISearchObjective
{
    public const string ObjectiveName = "toy-x10";

    public string Name => ObjectiveName;
    public string Description => "Ten times the metric (tests only).";

    public ISearchObjective Create(LatencyTarget target, JsonElement? options)
    {
        ComponentOptions.Read<NoOptions>(options, "the toy objective");
        return this;
    }

    public TrialScore Score(ObjectiveInput input) => new(10 * input.Metric, new Dictionary<string, double> { ["metric"] = input.Metric, ["scale"] = 10 });
}
