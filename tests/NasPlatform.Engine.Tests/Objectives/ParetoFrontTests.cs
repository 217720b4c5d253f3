using NasPlatform.Engine.Objectives;

namespace NasPlatform.Engine.Tests.Objectives;

public class ParetoFrontTests
{
    [Fact]
    public void Indices_KeepOnlyNonDominated_OrderedByLatency()
    {
        var points = new List<TradeOffPoint>
        {
            new(0.90, 10), // 0 front
            new(0.85, 12), // 1 dominated by 0
            new(0.95, 20), // 2 front
            new(0.80, 5),  // 3 front
            new(0.95, 25), // 4 dominated by 2 (same accuracy, slower)
            new(0.97, 40), // 5 front
        };
        Assert.Equal([3, 0, 2, 5], ParetoFront.Indices(points));
    }

    [Fact]
    public void Indices_IdenticalPoints_BothStay()
    {
        var points = new List<TradeOffPoint> { new(0.9, 10), new(0.9, 10), new(0.5, 20) };
        Assert.Equal([0, 1], ParetoFront.Indices(points).Order());
    }

    [Fact]
    public void Indices_Empty_IsEmpty() => Assert.Empty(ParetoFront.Indices([]));
}
