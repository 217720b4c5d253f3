using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NasPlatform.Data;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Platform.Health;

/// <summary>Ready means the database answers and has the current schema.</summary>
public sealed class DatabaseHealthCheck(IDbContextFactory<NasDbContext> dbf) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var db = await dbf.CreateDbContextAsync(ct);
            if (!await db.Database.CanConnectAsync(ct)) return HealthCheckResult.Unhealthy("The database does not answer.");
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            return pending.Count == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied yet.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database check failed.", e);
        }
    }
}

/// <summary>Ready means a blob can be written, read back and removed.</summary>
public sealed class BlobStoreHealthCheck(IBlobStore blobs) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var key = $"health/{Guid.NewGuid():N}";
        try
        {
            await blobs.WriteAsync(key, new MemoryStream([1, 2, 3]), ct);
            await using (var read = blobs.OpenRead(key))
                if (read.Length != 3) return HealthCheckResult.Unhealthy("The blob store returned other bytes than written.");
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy("The blob store cannot be written.", e);
        }
        finally
        {
            try { blobs.DeletePrefix(key); } catch (IOException) { }
        }
    }
}
