using System.Linq.Expressions;
using NasPlatform.Data.Entities;

namespace NasPlatform.Platform.Searches;

/// <summary>The one place trials are sorted, for the API and the pages alike (done by the database, so thousands of trials stay fast).</summary>
public static class TrialQueries
{
    /// <summary>Sort keys: number, status, metric (the task's primary metric; "accuracy" is read as it), latency, reward, params, macs, seconds.</summary>
    public static IReadOnlyList<string> SortKeys { get; } = ["number", "status", "metric", "latency", "reward", "params", "macs", "seconds"];

    /// <summary>The trials sorted by <paramref name="key"/> (ties by number), or null when the key is unknown.</summary>
    public static IOrderedQueryable<Trial>? SortBy(this IQueryable<Trial> trials, string key, bool descending)
    {
        IOrderedQueryable<Trial> By<T>(Expression<Func<Trial, T>> field) =>
            (descending ? trials.OrderByDescending(field) : trials.OrderBy(field)).ThenBy(t => t.Number);

        return key.ToLowerInvariant() switch
        {
            "number" => descending ? trials.OrderByDescending(t => t.Number) : trials.OrderBy(t => t.Number),
            "status" => By(t => t.Status),
            "metric" or "accuracy" => By(t => t.ValidationMetric),
            "latency" => By(t => t.LatencyMs),
            "reward" => By(t => t.Reward),
            "params" => By(t => t.Parameters),
            "macs" => By(t => t.Macs),
            "seconds" => By(t => t.Seconds),
            _ => null,
        };
    }
}
