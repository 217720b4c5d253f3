using NasPlatform.Engine.Strategies;

namespace NasPlatform.Engine.Tests.Strategies;

/// <summary>
/// A search that crashes and resumes from the last saved state must propose exactly what an
/// uninterrupted search would have, including the results that were still in flight at the save.
/// </summary>
public class StrategyResumeTests
{
    public static TheoryData<string, int, int> Cases() => new()
    {
        { "random", 15, 20 },
        // Saved before the population is full, then after (tournament + mutation phase).
        { "evolution", 6, 30 },
        { "evolution", 25, 30 },
        // Batch size 5 with one result in flight: 13 proposals leave 12 reported, i.e. 2 updates
        // done, 2 results waiting in the unprocessed batch and 1 pending proposal.
        { "mnasnet-rl", 13, 20 },
        // At a batch boundary: 16 proposals, 15 reported = 3 updates, an empty batch, 1 pending.
        { "mnasnet-rl", 16, 12 },
        // NAO before its first round (still random), and mid-round with proposals queued (20 seeds, rounds of 10).
        { "nao", 12, 20 },
        { "nao", 25, 20 },
        // hmarl while exploring, and once greedy (exploration over 30 proposals without a budget).
        { "hmarl", 12, 20 },
        { "hmarl", 40, 20 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Resumed_Strategy_ProposesWhatAnUninterruptedOneWould(string name, int before, int after)
    {
        var problem = new ToyProblem(5, 3);
        var options = StrategySanityTests.FastOptions;

        using var uninterrupted = BuiltInStrategies.Create(name, problem.Space, seed: 5, options);
        var reference = new SearchDriver(problem, inFlight: 1).Run(uninterrupted, before + after).Proposals;

        var driver = new SearchDriver(problem, inFlight: 1);
        string saved;
        using (var crashed = BuiltInStrategies.Create(name, problem.Space, seed: 5, options))
        {
            driver.Run(crashed, before);
            saved = crashed.SaveState();
        }

        using var resumed = BuiltInStrategies.Create(name, problem.Space, seed: 5, options);
        resumed.LoadState(saved);
        Assert.Equal(saved, resumed.SaveState());
        driver.Run(resumed, after);

        Assert.Equal(reference, driver.Proposals);
    }

    [Theory]
    [InlineData("random")]
    [InlineData("evolution")]
    [InlineData("mnasnet-rl")]
    public void LoadState_RejectsAnotherStrategysState_OrAnotherSpace(string name)
    {
        var problem = new ToyProblem(5, 3);
        using var strategy = BuiltInStrategies.Create(name, problem.Space, seed: 1);
        string saved = strategy.SaveState();

        var otherName = BuiltInStrategies.Names.First(n => n != name);
        using var other = BuiltInStrategies.Create(otherName, problem.Space, seed: 1);
        Assert.Throws<ArgumentException>(() => other.LoadState(saved));

        using var otherSpace = BuiltInStrategies.Create(name, new ToyProblem(5, 4).Space, seed: 1);
        Assert.Throws<ArgumentException>(() => otherSpace.LoadState(saved));
    }
}
