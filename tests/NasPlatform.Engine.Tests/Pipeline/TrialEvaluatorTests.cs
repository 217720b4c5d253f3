using NasPlatform.Engine.Components;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Engine.Training;

namespace NasPlatform.Engine.Tests.Pipeline;

public class TrialEvaluatorTests
{
    private static SearchComponents Components(string strategy = "random") =>
        SearchComponents.Resolve(SearchCatalog.BuiltIn, new SearchOptions { LatencyBudgetMs = 2, Strategy = strategy, Seed = 1 },
            new Engine.Datasets.DataShape(new FeatureShape(1, 16, 16), 3));

    private sealed class FixedEstimator(double metric, double latencyMs) : IPerformanceEstimator
    {
        public int Calls;
        public long LastSeed;

        public TrialMeasurement Estimate(Candidate candidate, long seed, Action<EpochReport>? onEpoch, CancellationToken ct)
        {
            Calls++;
            LastSeed = seed;
            return new TrialMeasurement(metric, new LatencyStats(latencyMs, latencyMs, latencyMs, latencyMs, latencyMs, latencyMs, 3, 1, 1, "cpu"), [], 0);
        }
    }

    [Fact]
    public void Evaluate_ScoresWithTheSearchObjective_CountsTheWholeNetwork_AndSeedsByHash()
    {
        var components = Components();
        var estimator = new FixedEstimator(0.9, 4);
        var evaluator = new TrialEvaluator(components, estimator, searchSeed: 5);
        var candidate = components.Candidate(((MnasSearchSpace)components.Space).ReferenceArchitecture());

        var outcome = evaluator.Evaluate(candidate, null, CancellationToken.None);

        Assert.Equal(0.9 * Math.Pow(4 / 2.0, -0.07), outcome.Reward, 12);
        Assert.Equal(0.9, outcome.Score.Terms["metric"]);
        Assert.Equal(TrialEvaluator.TrialSeed(5, candidate.Hash), estimator.LastSeed);
        using var network = candidate.Build(1);
        Assert.Equal(network.parameters().Sum(p => p.numel()), outcome.Cost.Parameters);
    }

    [Fact]
    public void Propose_AKnownArchitecture_IsReportedAtOnce_AndNotEstimatedAgain()
    {
        var components = Components();
        var evaluator = new TrialEvaluator(components, new FixedEstimator(0.5, 1), 1);
        using var strategy = components.CreateStrategy(1);
        var first = evaluator.Propose(strategy, _ => null);
        Assert.Null(first.Known);

        var known = new TrialOutcome(0.7, new LatencyStats(1, 1, 1, 1, 1, 1, 3, 1, 1, "cpu"), default,
            new Engine.Objectives.TrialScore(0.7, new Dictionary<string, double>()), [], 3);
        var second = evaluator.Propose(strategy, _ => known);
        Assert.Same(known, second.Known);
    }

    [Fact]
    public void Best_IsTheHighestReward_TiesToTheEarliest()
    {
        var trials = new[] { (Reward: 0.5, Number: 1), (Reward: 0.9, Number: 3), (Reward: 0.9, Number: 2), (Reward: 0.1, Number: 4) }
            .Select(t => new Tuple<double, int>(t.Reward, t.Number)).ToList();
        Assert.Equal(2, TrialEvaluator.Best(trials, t => t.Item1, t => t.Item2)!.Item2);
        Assert.Null(TrialEvaluator.Best(new List<Tuple<double, int>>(), t => t.Item1, t => t.Item2));
    }

    [Fact]
    public void Resolve_UnknownNamesAndBadOptions_AreRefusedWithTheirNames()
    {
        var shape = new Engine.Datasets.DataShape(new FeatureShape(1, 16, 16), 3);
        SearchComponents Resolve(SearchOptions o) => SearchComponents.Resolve(SearchCatalog.BuiltIn, o, shape);
        var ok = new SearchOptions { LatencyBudgetMs = 2 };
        Assert.Contains("Unknown search space 'nasbench'", Assert.Throws<ArgumentException>(() => Resolve(ok with { Space = "nasbench" })).Message);
        Assert.Contains("Unknown strategy 'bohb'", Assert.Throws<ArgumentException>(() => Resolve(ok with { Strategy = "bohb" })).Message);
        Assert.Contains("Unknown objective 'x'", Assert.Throws<ArgumentException>(() => Resolve(ok with { Objective = "x" })).Message);
        Assert.Contains("Unknown task 'keypoints'", Assert.Throws<ArgumentException>(() => Resolve(ok with { Task = "keypoints" })).Message);
        Assert.Contains("does not build networks", Assert.Throws<ArgumentException>(() => Resolve(ok with { Task = "detection" })).Message);
        var scale = System.Text.Json.JsonSerializer.SerializeToElement(new { widthScale = 0.25 });
        Assert.Equal(0.25, ((MnasSearchSpace)Resolve(ok with { SpaceOptions = scale }).Space).WidthScale);
    }

    [Fact]
    public void LayerOps_UnknownName_ListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => LayerOps.Create("sep_conv_3x3", new LayerArgs(4, 4, 3, 1)));
        Assert.Contains("mbconv6", e.Message);
    }
}
