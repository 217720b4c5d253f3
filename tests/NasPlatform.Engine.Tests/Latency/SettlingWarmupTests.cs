using NasPlatform.Engine.Latency;

namespace NasPlatform.Engine.Tests.Latency;

public class SettlingWarmupTests
{
    [Fact]
    public void ASteadyModel_IsWarmAfterTwoBlocks()
    {
        Assert.Equal(2 * LatencyMeter.SettleBlock, LatencyMeter.WarmUntilStable(() => 1.0));
    }

    [Fact]
    public void AModelStillSpeedingUp_IsWarmedUntilTwoBlockMediansAgree()
    {
        int i = 0;
        // 3 ms falling towards 1 ms: blocks of 10 agree within 2% only once the excess is small.
        int runs = LatencyMeter.WarmUntilStable(() => 1 + 2 * Math.Pow(0.5, i++ / 5.0));
        Assert.Equal(runs, i);
        Assert.True(runs >= 50, $"{runs} runs");
        double last = 1 + 2 * Math.Pow(0.5, (runs - 5) / 5.0), before = 1 + 2 * Math.Pow(0.5, (runs - 15) / 5.0);
        Assert.True(Math.Abs(before - last) <= LatencyMeter.SettleTolerance * last * 1.5);
    }

    [Fact]
    public void AModelThatNeverSettles_StopsAtTheCap()
    {
        int i = 0;
        Assert.Equal(LatencyMeter.SettleMaxBlocks * LatencyMeter.SettleBlock, LatencyMeter.WarmUntilStable(() => i++ / 10 % 2 == 0 ? 1.0 : 2.0));
    }
}
