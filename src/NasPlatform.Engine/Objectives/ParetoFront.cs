namespace NasPlatform.Engine.Objectives;

/// <summary>A point of the accuracy / latency trade-off (higher accuracy and lower latency are better).</summary>
public readonly record struct TradeOffPoint(double Accuracy, double LatencyMs);

public static class ParetoFront
{
    /// <summary>
    /// Indices of the non-dominated points, ordered by latency. A point is dominated when another
    /// is at least as good on both axes and strictly better on one. Exact duplicates all stay.
    /// </summary>
    public static IReadOnlyList<int> Indices(IReadOnlyList<TradeOffPoint> points)
    {
        // Sort by latency ascending, then accuracy descending; sweep keeping the best accuracy so far.
        var order = Enumerable.Range(0, points.Count)
            .OrderBy(i => points[i].LatencyMs)
            .ThenByDescending(i => points[i].Accuracy)
            .ToList();
        var front = new List<int>();
        double bestAccuracy = double.NegativeInfinity;
        TradeOffPoint? last = null;
        foreach (var i in order)
        {
            var p = points[i];
            if (p.Accuracy > bestAccuracy || (last is { } l && l == p && front.Count > 0))
            {
                front.Add(i);
                bestAccuracy = Math.Max(bestAccuracy, p.Accuracy);
                last = p;
            }
        }
        return front;
    }
}
