namespace NasPlatform.Engine.Objectives;

/// <summary>
/// The area of the accuracy-latency plane dominated by a set of points and bounded by a reference
/// point (accuracy <c>ReferenceAccuracy</c>, latency <c>ReferenceLatencyMs</c>): one number per
/// search that grows with every trade-off it finds, the usual way to compare multi-objective searches.
/// </summary>
public static class Hypervolume
{
    /// <summary>
    /// Sums the rectangles between consecutive front points and the reference (O(n log n): the front's
    /// sort). Points no better than the reference on either axis add nothing.
    /// </summary>
    public static double Of(IReadOnlyList<TradeOffPoint> points, double referenceAccuracy, double referenceLatencyMs)
    {
        var useful = points.Where(p => p.Accuracy > referenceAccuracy && p.LatencyMs < referenceLatencyMs).ToList();
        double area = 0;
        double previousAccuracy = referenceAccuracy;
        // The front by latency ascending has accuracy ascending: each point adds its strip above the previous one.
        foreach (int i in ParetoFront.Indices(useful))
        {
            var p = useful[i];
            if (p.Accuracy <= previousAccuracy) continue;
            area += (p.Accuracy - previousAccuracy) * (referenceLatencyMs - p.LatencyMs);
            previousAccuracy = p.Accuracy;
        }
        return area;
    }
}
