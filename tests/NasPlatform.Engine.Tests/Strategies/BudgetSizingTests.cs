using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Strategies.Evolution;
using NasPlatform.Engine.Strategies.MnasNetRl;
using NasPlatform.Engine.Torch;

namespace NasPlatform.Engine.Tests.Strategies;

public class BudgetSizingTests
{
    [Fact]
    public void Evolution_SizedForASmallerBudget_AgesOutItsOldest_AndEvolvesSooner_AndKeepsTheSizesAcrossAResume()
    {
        var problem = new ToyProblem(6, 4);
        using var evolution = new RegularizedEvolution(problem.Space, seed: 3, new StrategyOptions().ForBudget(400));
        Assert.Equal(100, evolution.PopulationSize);
        new SearchDriver(problem).Run(evolution, 6);

        evolution.SizeFor(new StrategyOptions().ForBudget(20));
        Assert.Equal(5, evolution.PopulationSize);
        Assert.Equal(5, evolution.Population.Count);
        // Six proposals made, a population of 5: the next child is a one-decision mutation of a member.
        var population = evolution.Population;
        var child = evolution.Propose();
        Assert.Contains(population, m => m.Choices.Where((c, d) => c != child[d]).Count() == 1);

        using var resumed = new RegularizedEvolution(problem.Space, seed: 3, new StrategyOptions().ForBudget(400));
        resumed.LoadState(evolution.SaveState());
        Assert.Equal(5, resumed.PopulationSize);
        Assert.Equal(evolution.Propose(), resumed.Propose());
    }

    [Fact]
    public void Evolution_GivenAPopulationByTheUser_KeepsIt()
    {
        var problem = new ToyProblem(4, 3);
        var given = new StrategyOptions { PopulationSize = 30 };
        using var evolution = new RegularizedEvolution(problem.Space, seed: 1, given.ForBudget(400));
        evolution.SizeFor(given.ForBudget(12));
        Assert.Equal(30, evolution.PopulationSize);
    }

    [Fact]
    public void Controller_SizedForASmallerBudget_UpdatesAfterFewerResults_AndKeepsItAcrossAResume()
    {
        TorchRuntime.EnsureLoaded();
        var problem = new ToyProblem(4, 3);
        using var rl = new MnasNetRlStrategy(problem.Space, seed: 2, new StrategyOptions().ForBudget(500));
        Assert.Equal(10, rl.BatchSize);
        rl.SizeFor(new StrategyOptions().ForBudget(30));
        Assert.Equal(2, rl.BatchSize);
        new SearchDriver(problem).Run(rl, 2);
        Assert.Equal(1, rl.Updates);

        using var resumed = new MnasNetRlStrategy(problem.Space, seed: 2, new StrategyOptions().ForBudget(500));
        resumed.LoadState(rl.SaveState());
        Assert.Equal(2, resumed.BatchSize);
    }
}
