using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NasPlatform.Data;
using NasPlatform.Data.Entities;

namespace NasPlatform.Platform.Searches;

/// <summary>How a job on any worker notices that its search was cancelled (or failed) by another process.</summary>
public static class SearchCancellation
{
    /// <summary>Polls the search's status every second and cancels <paramref name="stop"/> once it is over, so the job stops within about a second.</summary>
    public static IDisposable Watch(IDbContextFactory<NasDbContext> dbf, Guid searchId, CancellationTokenSource stop, ILogger log) =>
        new Timer(_ =>
        {
            try
            {
                if (IsCancelledAsync(dbf, searchId).GetAwaiter().GetResult()) stop.Cancel();
            }
            catch (ObjectDisposedException) { }
            catch (Exception e) { log.LogDebug(e, "Cancellation check failed"); }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    public static async Task<bool> IsCancelledAsync(IDbContextFactory<NasDbContext> dbf, Guid searchId)
    {
        await using var db = await dbf.CreateDbContextAsync();
        var status = await db.Searches.Where(s => s.Id == searchId).Select(s => (SearchStatus?)s.Status).FirstOrDefaultAsync();
        return status is null or SearchStatus.Cancelled or SearchStatus.Failed;
    }
}
