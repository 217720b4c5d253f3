using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Strategies.Evolution;

namespace NasPlatform.Engine.Tests.Strategies;

public class RegularizedEvolutionTests
{
    private static readonly StrategyOptions Small = new() { PopulationSize = 4, SampleSize = 2 };

    [Fact]
    public void AfterThePopulationIsSeeded_EachChild_DiffersFromAMemberInExactlyOneDecision()
    {
        var problem = new ToyProblem(6, 4);
        using var evolution = new RegularizedEvolution(problem.Space, seed: 2, Small);
        new SearchDriver(problem).Run(evolution, 4);

        for (int i = 0; i < 30; i++)
        {
            var population = evolution.Population;
            var child = evolution.Propose();
            Assert.Contains(population, m => m.Choices.Where((c, d) => c != child[d]).Count() == 1);
            evolution.Report(child, problem.Reward(child));
        }
    }

    [Fact]
    public void Population_KeepsTheNewestMembers_EvenWhenTheOldestIsTheBest()
    {
        var space = new ToyProblem(3, 2).Space;
        using var evolution = new RegularizedEvolution(space, seed: 1, Small);
        evolution.Report([1, 1, 1], 1.0);
        for (int i = 0; i < 4; i++) evolution.Report([0, 0, i % 2], i / 10.0);

        var population = evolution.Population;
        Assert.Equal(4, population.Count);
        Assert.DoesNotContain(population, m => m.Reward == 1.0);
        Assert.Equal([0.0, 0.1, 0.2, 0.3], population.Select(m => m.Reward));
    }

    [Fact]
    public void Tournament_PicksTheBestOfTheSample()
    {
        // With S far above P every member is almost surely sampled, so the parent is the best one.
        var space = new ToyProblem(4, 3).Space;
        using var evolution = new RegularizedEvolution(space, seed: 8, new StrategyOptions { PopulationSize = 3, SampleSize = 50 });
        for (int i = 0; i < 3; i++) evolution.Propose();
        evolution.Report([0, 0, 0, 0], 0.1);
        evolution.Report([2, 2, 2, 2], 0.9);
        evolution.Report([1, 1, 1, 1], 0.2);

        var child = evolution.Propose();
        Assert.Equal(3, child.Count(c => c == 2));
    }
}
