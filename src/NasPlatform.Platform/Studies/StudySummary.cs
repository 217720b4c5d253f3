using NasPlatform.Engine.Objectives;

namespace NasPlatform.Platform.Studies;

/// <summary>A finished trial as a study reads it: its number, reward, validation metric, latency and training time.</summary>
public sealed record StudyTrial(int Number, double Reward, double Metric, double LatencyMs, double Seconds);

/// <summary>One search of a study with what it produced so far.</summary>
public sealed record StudyRun(Guid SearchId, string Strategy, long Seed, string Status, bool Finished, IReadOnlyList<StudyTrial> Trials,
    Guid? ModelId, double? TestMetric, double? TestLatencyMs);

/// <summary>Mean and sample standard deviation over the runs that have the value.</summary>
public sealed record Stat(double Mean, double Std, int Runs)
{
    public static Stat? Of(IEnumerable<double> values)
    {
        var v = values.ToList();
        if (v.Count == 0) return null;
        double mean = v.Average();
        double std = v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : 0;
        return new Stat(mean, std, v.Count);
    }
}

/// <summary>A point of a strategy's curve: the median over its runs and the band from the lowest to the highest run.</summary>
public sealed record CurvePoint(double X, double Median, double Low, double High, int Runs);

public sealed record RunSummary(Guid SearchId, long Seed, string Status, int Trials, double? BestReward, double? BestMetric, double Hypervolume,
    double ComputeSeconds, Guid? ModelId, double? TestMetric, double? TestLatencyMs, IReadOnlyList<double?> BestRewardByTrial);

public sealed record StrategySummary(string Strategy, IReadOnlyList<RunSummary> Runs, Stat? BestReward, Stat? Hypervolume, Stat? TestMetric,
    Stat? TestLatencyMs, IReadOnlyList<CurvePoint> BestRewardByTrial, IReadOnlyList<CurvePoint> BestRewardByComputeSeconds,
    IReadOnlyList<FrontPoint> ParetoFront);

/// <summary>A trial on a strategy's accuracy-latency front, over all its runs.</summary>
public sealed record FrontPoint(Guid SearchId, int Number, double Metric, double LatencyMs);

/// <summary>
/// What a study shows, computed from its searches' trials only (so every figure can be traced to
/// them): per strategy, the best reward found so far against trials and against compute time (median
/// and range over seeds), the hypervolume of each run's accuracy-latency trade-offs against the
/// reference (metric 0, twice the latency budget), and the final models' test metric and latency.
/// </summary>
public static class StudySummarizer
{
    public const int TimePoints = 24;

    public static double ReferenceLatencyMs(double budgetMs) => 2 * budgetMs;

    public static IReadOnlyList<StrategySummary> Summarize(IReadOnlyList<string> strategies, IReadOnlyList<StudyRun> runs, double budgetMs)
    {
        double reference = ReferenceLatencyMs(budgetMs);
        double horizon = runs.Select(r => r.Trials.Sum(t => t.Seconds)).DefaultIfEmpty(0).Max();
        return strategies.Select(strategy =>
        {
            var mine = runs.Where(r => r.Strategy == strategy).OrderBy(r => r.Seed).ToList();
            var runSummaries = mine.Select(r => Run(r, reference)).ToList();
            var byTrial = Curve(Enumerable.Range(1, runSummaries.Select(r => r.BestRewardByTrial.Count).DefaultIfEmpty(0).Max()).Select(k => (double)k),
                mine.Zip(runSummaries, (r, s) => (Func<double, double?>)(k => BestAtTrial(s, r.Finished, (int)k))).ToList());
            var byTime = horizon > 0
                ? Curve(Enumerable.Range(1, TimePoints).Select(i => horizon * i / TimePoints), mine.Select(r => (Func<double, double?>)(t => BestAtSeconds(r, t))).ToList())
                : [];
            var all = mine.SelectMany(r => r.Trials.Select(t => new FrontPoint(r.SearchId, t.Number, t.Metric, t.LatencyMs))).ToList();
            var front = ParetoFront.Indices(all.Select(p => new TradeOffPoint(p.Metric, p.LatencyMs)).ToList()).Select(i => all[i]).ToList();
            return new StrategySummary(strategy, runSummaries,
                Stat.Of(runSummaries.Where(r => r.BestReward is not null).Select(r => r.BestReward!.Value)),
                Stat.Of(runSummaries.Where(r => r.Trials > 0).Select(r => r.Hypervolume)),
                Stat.Of(mine.Where(r => r.TestMetric is not null).Select(r => r.TestMetric!.Value)),
                Stat.Of(mine.Where(r => r.TestLatencyMs is not null).Select(r => r.TestLatencyMs!.Value)),
                byTrial, byTime, front);
        }).ToList();
    }

    private static RunSummary Run(StudyRun r, double reference)
    {
        var ordered = r.Trials.OrderBy(t => t.Number).ToList();
        int last = ordered.Count == 0 ? 0 : ordered[^1].Number;
        // Best reward among trials 1..k for every k, in one pass (failed trials leave gaps in the numbers).
        var bestByTrial = new double?[last];
        double? best = null;
        for (int k = 1, j = 0; k <= last; k++)
        {
            for (; j < ordered.Count && ordered[j].Number <= k; j++) best = Math.Max(best ?? double.NegativeInfinity, ordered[j].Reward);
            bestByTrial[k - 1] = best;
        }
        return new RunSummary(r.SearchId, r.Seed, r.Status, ordered.Count, best, ordered.Count > 0 ? ordered.Max(t => t.Metric) : null,
            Hypervolume.Of(ordered.Select(t => new TradeOffPoint(t.Metric, t.LatencyMs)).ToList(), 0, reference),
            ordered.Sum(t => t.Seconds), r.ModelId, r.TestMetric, r.TestLatencyMs, bestByTrial);
    }

    /// <summary>The best reward among trials 1..k; null before the run's first finished trial or beyond its last (unless it has finished).</summary>
    private static double? BestAtTrial(RunSummary run, bool finished, int k) =>
        k <= run.BestRewardByTrial.Count ? run.BestRewardByTrial[k - 1] : finished && run.BestRewardByTrial.Count > 0 ? run.BestRewardByTrial[^1] : null;

    /// <summary>The best reward among the trials done within <paramref name="seconds"/> of the run's training time (trials in order).</summary>
    private static double? BestAtSeconds(StudyRun r, double seconds)
    {
        double elapsed = 0, total = r.Trials.Sum(t => t.Seconds);
        if (!r.Finished && seconds > total) return null;
        double? best = null;
        foreach (var t in r.Trials.OrderBy(t => t.Number))
        {
            elapsed += t.Seconds;
            if (elapsed > seconds + 1e-9) break;
            best = Math.Max(best ?? double.NegativeInfinity, t.Reward);
        }
        return best;
    }

    private static List<CurvePoint> Curve(IEnumerable<double> xs, IReadOnlyList<Func<double, double?>> runs)
    {
        var points = new List<CurvePoint>();
        foreach (double x in xs)
        {
            var values = runs.Select(f => f(x)).Where(v => v is not null).Select(v => v!.Value).Order().ToList();
            if (values.Count == 0) continue;
            double median = values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
            points.Add(new CurvePoint(x, median, values[0], values[^1], values.Count));
        }
        return points;
    }
}
