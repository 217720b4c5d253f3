using NasPlatform.Engine.Common;
using NasPlatform.Engine.Objectives;

namespace NasPlatform.Engine.Tests.Objectives;

public class HypervolumeTests
{
    [Fact]
    public void AStaircase_IsTheSumOfItsSteps()
    {
        // Reference (0, 10): (0.5, 2) covers 0.5 x 8; (0.8, 6) adds 0.3 x 4; (0.4, 8) is dominated.
        var points = new List<TradeOffPoint> { new(0.5, 2), new(0.8, 6), new(0.4, 8) };
        Assert.Equal(0.5 * 8 + 0.3 * 4, Hypervolume.Of(points, 0, 10), 12);
    }

    [Fact]
    public void PointsOutsideTheReference_AddNothing()
    {
        Assert.Equal(0, Hypervolume.Of([new(0.9, 12), new(-0.1, 1)], 0, 10));
        Assert.Equal(0, Hypervolume.Of([], 0, 10));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RandomSets_MatchTheBruteForceUnionOfRectangles(long seed)
    {
        var rng = new SeededRandom(seed);
        int n = 1 + rng.Next(60);
        // Coarse values make ties and duplicates common.
        var points = Enumerable.Range(0, n).Select(_ => new TradeOffPoint(rng.Next(20) / 20.0, rng.Next(30) / 2.0)).ToList();
        double referenceLatency = 12;

        Assert.Equal(BruteForce(points, 0, referenceLatency), Hypervolume.Of(points, 0, referenceLatency), 9);
        var front = ParetoFront.Indices(points).ToHashSet();
        for (int i = 0; i < n; i++)
        {
            bool dominated = points.Any(q => q.Accuracy >= points[i].Accuracy && q.LatencyMs <= points[i].LatencyMs && q != points[i]);
            Assert.Equal(!dominated, front.Contains(i));
        }
    }

    /// <summary>The area of the union of every point's rectangle, over the grid its coordinates make (O(n^3)).</summary>
    private static double BruteForce(List<TradeOffPoint> points, double refAccuracy, double refLatency)
    {
        var xs = points.Select(p => Math.Min(p.LatencyMs, refLatency)).Append(refLatency).Distinct().Order().ToList();
        var ys = points.Select(p => Math.Max(p.Accuracy, refAccuracy)).Append(refAccuracy).Distinct().Order().ToList();
        double area = 0;
        for (int i = 0; i + 1 < xs.Count; i++)
            for (int j = 0; j + 1 < ys.Count; j++)
            {
                double cx = (xs[i] + xs[i + 1]) / 2, cy = (ys[j] + ys[j + 1]) / 2;
                if (points.Any(p => p.LatencyMs <= cx && p.Accuracy >= cy && p.LatencyMs < refLatency && p.Accuracy > refAccuracy))
                    area += (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j]);
            }
        return area;
    }
}
