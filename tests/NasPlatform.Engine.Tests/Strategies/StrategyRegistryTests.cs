using NasPlatform.Engine.Strategies;

namespace NasPlatform.Engine.Tests.Strategies;

public class StrategyRegistryTests
{
    [Fact]
    public void Names_AreTheStrategies_AndEachCreatesItself()
    {
        Assert.Equal(["random", "evolution", "mnasnet-rl", "nao", "hmarl", "hyperband", "asha"], BuiltInStrategies.Names);
        var space = new ToyProblem(3, 2).Space;
        foreach (var name in BuiltInStrategies.Names)
        {
            using var strategy = BuiltInStrategies.Create(name, space, seed: 1);
            Assert.Equal(name, strategy.Name);
            Assert.Same(space, strategy.Space);
        }
    }

    [Fact]
    public void UnknownName_Throws_ListingTheValidNames()
    {
        var ex = Assert.Throws<ArgumentException>(() => BuiltInStrategies.Create("bohb", new ToyProblem(3, 2).Space, 1));
        Assert.Contains("bohb", ex.Message);
        foreach (var name in BuiltInStrategies.Names) Assert.Contains(name, ex.Message);
    }

    [Fact]
    public void InvalidOptions_AreRejected()
    {
        var space = new ToyProblem(3, 2).Space;
        Assert.Throws<ArgumentException>(() => BuiltInStrategies.Create("evolution", space, 1, new StrategyOptions { PopulationSize = 0 }));
        Assert.Throws<ArgumentException>(() => BuiltInStrategies.Create("mnasnet-rl", space, 1, new StrategyOptions { ClipEpsilon = 1.5 }));
        Assert.Throws<ArgumentException>(() => BuiltInStrategies.Create("asha", space, 1, new StrategyOptions { Eta = 1 }));
        Assert.Throws<ArgumentException>(() => BuiltInStrategies.Create("hyperband", space, 1, new StrategyOptions { BaseStrategy = "asha" }));
    }
}
