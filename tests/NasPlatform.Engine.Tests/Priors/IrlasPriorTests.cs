using System.Text.Json;
using NasPlatform.Engine.Common;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Priors;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tasks;
using NasPlatform.Engine.Topology;

namespace NasPlatform.Engine.Tests.Priors;

public class IrlasPriorTests
{
    private static readonly SpaceInput Input = new(new FeatureShape(1, 28, 28), new TaskOutput(10));
    private static readonly MnasObjective Flat = new(new LatencyTarget(1, LatencyConstraint.Soft));

    [Fact]
    public void FeatureMatching_RecoversPlantedWeights_FromABoltzmannExpert()
    {
        // 400 agent states with 5 features; the expert picks states with probability proportional to exp(w* . phi).
        var rng = new SeededRandom(11);
        double[] planted = [1.5, -1.0, 0.5, 0.0, 2.0];
        var agent = Enumerable.Range(0, 400).Select(_ => Enumerable.Range(0, planted.Length).Select(_ => rng.NextDouble()).ToArray()).ToList();
        var weights = agent.Select(s => Math.Exp(s.Zip(planted, (x, w) => x * w).Sum())).ToArray();
        var expert = Enumerable.Range(0, 20000).Select(_ => agent[rng.NextWeighted(weights)]).ToList();

        var learned = FeatureMatchingIrl.Fit(expert, agent, ridge: 1e-6);

        for (int j = 0; j < planted.Length; j++) Assert.True(Math.Abs(learned[j] - planted[j]) < 0.25, $"w[{j}] = {learned[j]:F3}, planted {planted[j]}");
        // At the optimum the learned distribution reproduces the expert's feature expectation.
        var p = agent.Select(s => Math.Exp(s.Zip(learned, (x, w) => x * w).Sum())).ToArray();
        for (int j = 0; j < planted.Length; j++)
        {
            double model = agent.Select((s, i) => s[j] * p[i]).Sum() / p.Sum(), target = expert.Average(s => s[j]);
            Assert.Equal(target, model, 2);
        }
    }

    [Fact]
    public void AFeatureTheAgentNeverVaries_GetsNoWeight()
    {
        var agent = Enumerable.Range(0, 50).Select(i => new[] { i / 50.0, 0.3 }).ToList();
        var learned = FeatureMatchingIrl.Fit([[0.9, 0.7]], agent, ridge: 0.05);
        Assert.True(learned[0] > 0);
        Assert.Equal(0, learned[1]);
    }

    [Fact]
    public void TheMirrorStimulus_IsHighestNearTheExpert_AndTheTermIsAddedToTheReward()
    {
        var space = SearchCatalog.BuiltIn.Spaces.Get("resnet").Create(Input, null);
        var objective = (PriorObjective)PriorObjective.Compose(Flat, new PriorOptions { Name = "irlas", Weight = 0.1 }, SearchCatalog.BuiltIn, space, Input,
            "classification", seed: 1);
        Assert.Equal("resnet20-1x", objective.Prior.Expert);
        Assert.Equal(TopologyFeatures.Count, objective.Prior.Weights.Count);

        var expert = NasPlatform.Engine.Zoo.BaselineZoo.Members(SearchCatalog.BuiltIn, Input, "classification").Single(m => m.Name == "resnet20-1x");
        var expertGraph = space.Graph(expert.Architecture);
        var rng = new SeededRandom(3);
        var others = Enumerable.Range(0, 50).Select(_ => objective.Prior.Mirror(space.Graph(space.Decode(
            space.Decisions.Decisions.Select(d => rng.Next(d.Cardinality)).ToArray())))).ToList();
        double mirror = objective.Prior.Mirror(expertGraph);
        Assert.True(mirror > 0.8 && mirror > others.Average() + 0.2, $"expert {mirror:F3}, random mean {others.Average():F3}");

        var score = objective.Score(new ObjectiveInput(0.9, 1, default, expertGraph));
        Assert.Equal(0.1 * mirror, score.Terms["prior"], 9);
        Assert.Equal(mirror, score.Terms["mirror"], 9);
        Assert.Equal(Flat.Score(new ObjectiveInput(0.9, 1, default)).Reward + 0.1 * mirror, score.Reward, 9);
    }

    [Theory]
    [InlineData("mnasnet", "mobilenetv2-1x")]
    [InlineData("shufflenetv2", "shufflenetv2-1x")]
    [InlineData("darts", "resnet20-1x")]
    public void TheDefaultExpert_IsTheSpacesOwnFamily_OrResNet20(string spaceName, string expert)
    {
        var options = spaceName == "darts" ? JsonDocument.Parse("""{"cells": 3, "channels": 8}""").RootElement : (JsonElement?)null;
        var space = SearchCatalog.BuiltIn.Spaces.Get(spaceName).Create(Input, options);
        var objective = (PriorObjective)PriorObjective.Compose(Flat, new PriorOptions { Name = "irlas" }, SearchCatalog.BuiltIn, space, Input, "classification", 1);
        Assert.Equal(expert, objective.Prior.Expert);
    }

    [Fact]
    public void AnUnknownExpert_IsRefusedNamingTheMembers()
    {
        var space = SearchCatalog.BuiltIn.Spaces.Get("resnet").Create(Input, null);
        var e = Assert.Throws<ArgumentException>(() => PriorObjective.Compose(Flat, new PriorOptions { Name = "irlas", Expert = "resnext-9x" },
            SearchCatalog.BuiltIn, space, Input, "classification", 1));
        Assert.Contains("resnext-9x", e.Message);
        Assert.Contains("resnet20-1x", e.Message);
        Assert.Throws<ArgumentException>(() => new PriorOptions { Name = "irl" }.Validate());
        Assert.Throws<ArgumentException>(() => new PriorOptions { Name = "irlas", Weight = -1 }.Validate());
    }

    [Theory]
    [InlineData("evolution")]
    [InlineData("mnasnet-rl")]
    public void WithThePrior_ProposalsMoveTowardTheExpertsFeatureExpectation(string strategyName)
    {
        // A toy objective that cannot tell architectures apart except by noise: only the prior steers.
        var space = SearchCatalog.BuiltIn.Spaces.Get("resnet").Create(Input, null);
        var objective = (PriorObjective)PriorObjective.Compose(Flat, new PriorOptions { Name = "irlas", Weight = 0.2 }, SearchCatalog.BuiltIn, space, Input,
            "classification", seed: 1);
        var expert = objective.Prior.ExpertFeatures.ToArray();
        double Distance(int[] choices, bool withPrior, out double reward)
        {
            var graph = space.Graph(space.Decode(choices));
            var noise = (DecisionSpace.Key(choices).GetHashCode() & 0xffff) / 65536.0 * 0.01;
            reward = (withPrior ? objective : (ISearchObjective)Flat).Score(new ObjectiveInput(0.9 + noise, 1, default, graph)).Reward;
            var f = TopologyFeatures.Of(graph);
            return Math.Sqrt(f.Zip(expert, (a, b) => (a - b) * (a - b)).Sum());
        }
        double LateDistance(bool withPrior)
        {
            double total = 0;
            foreach (long seed in new long[] { 1, 2, 3 })
            {
                using var strategy = SearchCatalog.BuiltIn.Strategies.Get(strategyName).Create(space.Decisions, seed, Strategies.StrategySanityTests.FastOptions);
                var distances = new List<double>();
                for (int i = 0; i < 120; i++)
                {
                    var choices = strategy.Propose();
                    distances.Add(Distance(choices, withPrior, out var reward));
                    strategy.Report(choices, reward);
                }
                total += distances.TakeLast(30).Average() / 3;
            }
            return total;
        }

        double with = LateDistance(true), without = LateDistance(false);
        Assert.True(with < without * 0.85, $"{strategyName}: distance to the expert's features {with:F3} with the prior, {without:F3} without");
    }
}
