using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using NasPlatform.Data.Entities;

namespace NasPlatform.Platform.Searches;

/// <summary>The one place trials are sorted, for the API and the pages alike (done by the database, so thousands of trials stay fast).</summary>
public static class TrialQueries
{
    /// <summary>Sort keys: number, status, metric (the task's primary metric; "accuracy" is read as it), latency, reward, params, macs, seconds.</summary>
    public static IReadOnlyList<string> SortKeys { get; } = ["number", "status", "metric", "latency", "reward", "params", "macs", "seconds"];

    /// <summary>The trials sorted by <paramref name="key"/> (ties by number, in the same direction), or null when the key is unknown.</summary>
    public static IOrderedQueryable<Trial>? SortBy(this IQueryable<Trial> trials, string key, bool descending)
    {
        // Ties go in the key's direction, so one index (search, key, number) serves both directions (see NasDbContext).
        IOrderedQueryable<Trial> By<T>(Expression<Func<Trial, T>> field) => descending
            ? trials.OrderByDescending(field).ThenByDescending(t => t.Number)
            : trials.OrderBy(field).ThenBy(t => t.Number);

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

    /// <summary>
    /// One page of trials in <paramref name="key"/>'s order (null when the key is unknown). The database sorts only ids
    /// and the key, then reads the page's rows: sorting whole rows (architecture and learning-curve JSON) cost a
    /// 10,000-trial search over 100 ms per page.
    /// </summary>
    public static async Task<List<Trial>?> PageAsync(this IQueryable<Trial> trials, string key, bool descending, int page, int pageSize,
        CancellationToken ct)
    {
        if (trials.SortBy(key, descending) is not { } sorted) return null;
        var ids = await sorted.Skip((page - 1) * pageSize).Take(pageSize).Select(t => t.Id).ToListAsync(ct);
        var rows = await trials.Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
        return ids.Where(rows.ContainsKey).Select(id => rows[id]).ToList();
    }
}
