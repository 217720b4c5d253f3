using NasPlatform.Engine.Objectives;

namespace NasPlatform.Engine.Tests.Objectives;

public class MnasRewardTests
{
    // MnasNet section 3.1: ACC 0.5, T = 80 ms.
    [Theory]
    [InlineData(40, LatencyConstraint.Soft, 0.524858)] // 0.5 * 0.5^-0.07
    [InlineData(80, LatencyConstraint.Soft, 0.5)]
    [InlineData(160, LatencyConstraint.Soft, 0.476319)] // 0.5 * 2^-0.07
    [InlineData(40, LatencyConstraint.Hard, 0.5)]
    [InlineData(80, LatencyConstraint.Hard, 0.5)]
    [InlineData(160, LatencyConstraint.Hard, 0.25)]
    public void Reward_OnPaperValues_MatchesFormula(double latencyMs, LatencyConstraint constraint, double expected)
    {
        Assert.Equal(expected, MnasReward.Compute(0.5, latencyMs, 80, constraint), 5);
    }

    [Fact]
    public void SoftReward_DoublingLatency_CostsAboutFivePercentRelative()
    {
        double a = MnasReward.Compute(0.8, 50, 50, LatencyConstraint.Soft);
        double b = MnasReward.Compute(0.8, 100, 50, LatencyConstraint.Soft);
        Assert.InRange(1 - b / a, 0.045, 0.05);
    }

    [Fact]
    public void Reward_NonPositiveBudget_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MnasReward.Compute(0.5, 10, 0, LatencyConstraint.Soft));
    }

    [Theory]
    [InlineData("soft", LatencyConstraint.Soft)]
    [InlineData(" HARD ", LatencyConstraint.Hard)]
    public void Parse_KnownNames_Parses(string text, LatencyConstraint expected) => Assert.Equal(expected, MnasReward.Parse(text));

    [Fact]
    public void Parse_UnknownName_ThrowsNamingChoices()
    {
        var ex = Assert.Throws<ArgumentException>(() => MnasReward.Parse("medium"));
        Assert.Contains("soft or hard", ex.Message);
    }
}
