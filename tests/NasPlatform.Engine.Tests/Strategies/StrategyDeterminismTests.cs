using NasPlatform.Engine.Strategies;

namespace NasPlatform.Engine.Tests.Strategies;

public class StrategyDeterminismTests
{
    public static TheoryData<string> AllStrategies() => new(BuiltInStrategies.Names);

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void SameSeed_AndSameRewards_GiveTheSameProposals(string name)
    {
        var problem = new ToyProblem(6, 4);
        using var a = BuiltInStrategies.Create(name, problem.Space, seed: 11, StrategySanityTests.FastOptions);
        using var b = BuiltInStrategies.Create(name, problem.Space, seed: 11, StrategySanityTests.FastOptions);

        var first = new SearchDriver(problem, inFlight: 3).Run(a, 40).Proposals;
        var second = new SearchDriver(problem, inFlight: 3).Run(b, 40).Proposals;

        Assert.Equal(first, second);
    }

    [Theory]
    [MemberData(nameof(AllStrategies))]
    public void DifferentSeeds_GiveDifferentProposals(string name)
    {
        var problem = new ToyProblem(6, 4);
        using var a = BuiltInStrategies.Create(name, problem.Space, seed: 11, StrategySanityTests.FastOptions);
        using var b = BuiltInStrategies.Create(name, problem.Space, seed: 12, StrategySanityTests.FastOptions);

        var first = new SearchDriver(problem).Run(a, 20).Proposals;
        var second = new SearchDriver(problem).Run(b, 20).Proposals;

        Assert.NotEqual(first, second);
    }
}
