using NasPlatform.Engine.Strategies;

namespace NasPlatform.Engine.Tests.Strategies;

public class StrategySanityTests
{
    public static TheoryData<string> AllStrategies() => new(BuiltInStrategies.Names);

    public static TheoryData<string> LearningStrategies() => new("evolution", "mnasnet-rl", "hmarl");

    // Settings under which a learning strategy should clearly learn on a tiny space within a few hundred
    // evaluations; the defaults are tuned for real searches of thousands of GPU-hours, not for this.
    internal static readonly StrategyOptions FastOptions = new()
    {
        PopulationSize = 10,
        SampleSize = 3,
        LearningRate = 0.02,
        BatchSize = 5,
        HiddenSize = 32,
        EmbeddingSize = 16,
        NaoSeedArchitectures = 20,
        NaoProposalsPerRound = 10,
        NaoEpochs = 100,
    };

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void Proposals_AreValid_AndTheBestRewardImprovesOnTheFirst(string name)
    {
        var problem = new ToyProblem(decisions: 8, options: 4);
        using var strategy = BuiltInStrategies.Create(name, problem.Space, seed: 3, FastOptions);

        var run = new SearchDriver(problem, inFlight: 2).Run(strategy, 60);

        Assert.All(run.Proposals, p => Assert.True(problem.Space.IsValid(p), $"invalid [{string.Join(',', p)}]"));
        Assert.True(run.Rewards.Max() > run.Rewards[0], $"best {run.Rewards.Max()} vs first {run.Rewards[0]}");
        Assert.True(run.Rewards.Max() >= 0.5, $"best {run.Rewards.Max()}");
    }

    [Theory]
    [MemberData(nameof(LearningStrategies))]
    public void LearningStrategy_RecentProposals_BeatRandomSearch(string name)
    {
        // Evolution gets the larger space: its single-decision mutations need room to climb. The RL
        // controller gets a small one so a few dozen PPO updates suffice.
        var problem = name == "evolution" ? new ToyProblem(8, 4) : new ToyProblem(4, 3);
        const int budget = 150;
        double learned = 0, random = 0;
        long[] seeds = [1, 2, 3];
        foreach (var seed in seeds)
        {
            using var strategy = BuiltInStrategies.Create(name, problem.Space, seed, FastOptions);
            using var baseline = BuiltInStrategies.Create("random", problem.Space, seed, FastOptions);
            learned += new SearchDriver(problem).Run(strategy, budget).Rewards.TakeLast(10).Average() / seeds.Length;
            random += new SearchDriver(problem).Run(baseline, budget).Rewards.TakeLast(10).Average() / seeds.Length;
        }

        Assert.True(learned > random + 0.2, $"{name}: last-10 mean {learned:F3} vs random {random:F3}");
    }
}
