using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Strategies.Hmarl;

namespace NasPlatform.Engine.Tests.Strategies;

public class HmarlStrategyTests
{
    /// <summary>Four blocks of three decisions (as a stage-and-block space names them), a hidden target per decision.</summary>
    private static (DecisionSpace Space, Func<IReadOnlyList<int>, double> Reward) BlockProblem()
    {
        var decisions = Enumerable.Range(1, 4).SelectMany(b => new[] { "op", "kernel", "width" }.Select(d => new Decision($"block{b}.{d}", 4))).ToList();
        var target = decisions.Select((_, i) => (i * 5 + 2) % 4).ToArray();
        return (new DecisionSpace(decisions), c => c.Where((v, i) => v == target[i]).Count() / (double)target.Length);
    }

    [Fact]
    public void Agents_AreTheBlocks_NamedByTheDecisionsFirstPart()
    {
        var (space, _) = BlockProblem();
        using var strategy = new HmarlStrategy(space, 1);
        Assert.Equal(4, strategy.Groups.Count);
        Assert.Equal([0, 1, 2], strategy.Groups[0]);
        Assert.Equal([9, 10, 11], strategy.Groups[3]);
    }

    [Fact]
    public void OnABlockSpace_RecentProposals_BeatRandomSearch()
    {
        var (space, reward) = BlockProblem();
        double learned = 0, random = 0;
        foreach (long seed in new long[] { 1, 2, 3 })
        {
            using var strategy = new HmarlStrategy(space, seed, new StrategyOptions { HmarlExplorationTrials = 60 });
            using var baseline = BuiltInStrategies.Create("random", space, seed);
            learned += Play(strategy, reward, 200).TakeLast(20).Average() / 3;
            random += Play(baseline, reward, 200).TakeLast(20).Average() / 3;
        }
        Assert.True(learned > random + 0.2, $"hmarl last-20 mean {learned:F3} vs random {random:F3}");
    }

    [Fact]
    public void Proposals_AreNotRepeated_WhileUnseenOnesRemainNearby()
    {
        var (space, reward) = BlockProblem();
        using var strategy = new HmarlStrategy(space, 4, new StrategyOptions { HmarlExplorationTrials = 10 });
        var seen = new HashSet<string>();
        for (int i = 0; i < 80; i++)
        {
            var choices = strategy.Propose();
            Assert.True(seen.Add(DecisionSpace.Key(choices)), $"proposal {i} repeats [{string.Join(',', choices)}]");
            strategy.Report(choices, reward(choices));
        }
    }

    [Fact]
    public void AResultItNeverProposed_IsLearnedFrom_WithTheSubGoalsItsBlocksReached()
    {
        var (space, reward) = BlockProblem();
        using var strategy = new HmarlStrategy(space, 2);
        var foreign = new int[space.Count];
        strategy.Report(foreign, reward(foreign));
        var state = System.Text.Json.JsonDocument.Parse(strategy.SaveState()).RootElement;
        // Every decision at its first option: every block reached the lowest sub-goal.
        Assert.All(state.GetProperty("replay")[0].GetProperty("goals").EnumerateArray(), g => Assert.Equal(0, g.GetInt32()));
    }

    private static List<double> Play(ISearchStrategy strategy, Func<IReadOnlyList<int>, double> reward, int steps)
    {
        var rewards = new List<double>();
        for (int i = 0; i < steps; i++)
        {
            var choices = strategy.Propose();
            rewards.Add(reward(choices));
            strategy.Report(choices, rewards[^1]);
        }
        return rewards;
    }
}
