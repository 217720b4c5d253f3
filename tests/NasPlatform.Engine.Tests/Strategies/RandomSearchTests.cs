using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Strategies.Random;

namespace NasPlatform.Engine.Tests.Strategies;

public class RandomSearchTests
{
    [Fact]
    public void SmallSpace_IsCoveredWithoutDuplicates_ThenDuplicatesAreAllowed()
    {
        var space = new ToyProblem(2, 3).Space; // 9 points
        using var search = new RandomSearch(space, seed: 4);

        var firstNine = Enumerable.Range(0, 9).Select(_ => DecisionSpace.Key(search.Propose())).ToList();
        Assert.Equal(9, firstNine.Distinct().Count());

        // The space is exhausted: proposing must still work (and not spin).
        Assert.True(space.IsValid(search.Propose()));
    }

    [Fact]
    public void ReportedVectors_AreNotProposedAgain()
    {
        var space = new ToyProblem(1, 3).Space;
        using var search = new RandomSearch(space, seed: 9);
        search.Report([0], 0.5);
        search.Report([1], 0.5);

        Assert.Equal([2], search.Propose());
    }

    [Fact]
    public void Report_RejectsInvalidVectors_AndNonFiniteRewards()
    {
        using var search = new RandomSearch(new ToyProblem(2, 2).Space, seed: 1);
        Assert.Throws<ArgumentException>(() => search.Report([0, 2], 1));
        Assert.Throws<ArgumentException>(() => search.Report([0, 1], double.NaN));
    }
}
