using Microsoft.EntityFrameworkCore;
using NasPlatform.Data;
using NasPlatform.Data.Entities;

namespace NasPlatform.Platform.Searches;

/// <summary>The searches list as the API and the pages both read it: newest first, a page at a time, with each search's best trial.</summary>
public static class SearchQueries
{
    public static IQueryable<Search> NewestPage(this IQueryable<Search> searches, int page, int pageSize) =>
        searches.OrderByDescending(s => s.CreatedAt).Skip((page - 1) * pageSize).Take(pageSize);

    /// <summary>The best trials of these searches, by trial id (one query, whatever the page size).</summary>
    public static Task<Dictionary<Guid, Trial>> BestTrialsAsync(this NasDbContext db, IEnumerable<Guid?> bestTrialIds, CancellationToken ct = default)
    {
        var ids = bestTrialIds.OfType<Guid>().ToList();
        return db.Trials.AsNoTracking().Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
    }
}
