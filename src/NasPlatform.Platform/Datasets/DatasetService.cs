using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Datasets;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Jobs;
using NasPlatform.Platform.Progress;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Platform.Datasets;

/// <summary>Thrown for a request the platform refuses; the message is shown to the user as is.</summary>
public sealed class PlatformException(string message, int statusCode = 400) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>How many bytes an upload may have, and what to tell the user when it has more.</summary>
public sealed record UploadLimit(long Bytes, string TooLarge);

/// <summary>Creating and deleting datasets; decoding happens later in <see cref="DatasetIngestionJob"/>.</summary>
public sealed class DatasetService(IDbContextFactory<NasDbContext> dbf, IBlobStore blobs, IJobScheduler jobs,
    IProgressSink progress, IOptions<PlatformOptions> options, TimeProvider time)
{
    public const int MaxNameLength = 200;

    /// <summary>
    /// Takes an uploaded file already streamed to <paramref name="tempPath"/>: refuses what a quick look
    /// can refuse, then stores it and queues its ingestion. The temporary file is consumed either way.
    /// </summary>
    public async Task<Dataset> CreateAsync(Guid ownerId, string name, string? format, string tempPath, CancellationToken ct)
    {
        try
        {
            name = ValidateName(name);
            string engineFormat;
            try
            {
                string? declared = string.IsNullOrWhiteSpace(format) || format.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase)
                    ? null : DatasetFormats.ToEngine(format.Trim().ToLowerInvariant());
                engineFormat = DatasetProbe.Probe(tempPath, declared, Limits, displayName: "The upload");
            }
            catch (DatasetFormatException e)
            {
                throw new PlatformException(e.Message, 422);
            }

            var dataset = new Dataset
            {
                Id = Guid.NewGuid(), OwnerId = ownerId, Name = name, Format = DatasetFormats.FromEngine(engineFormat),
                Status = DatasetStatus.Processing, UploadBytes = new FileInfo(tempPath).Length, CreatedAt = time.GetUtcNow(),
            };
            dataset.UploadBlob = $"datasets/{dataset.Id}/upload.zip";
            await blobs.ImportAsync(dataset.UploadBlob, tempPath, ct);
            try
            {
                await using var db = await dbf.CreateDbContextAsync(ct);
                db.Datasets.Add(dataset);
                await db.SaveChangesAsync(ct);
            }
            catch
            {
                blobs.DeletePrefix($"datasets/{dataset.Id}/");
                throw;
            }
            try
            {
                jobs.EnqueueIngestion(dataset.Id);
            }
            catch
            {
                await using var db = await dbf.CreateDbContextAsync(CancellationToken.None);
                await db.Datasets.Where(d => d.Id == dataset.Id).ExecuteDeleteAsync(CancellationToken.None);
                blobs.DeletePrefix($"datasets/{dataset.Id}/");
                throw;
            }
            await progress.DatasetChanged(new DatasetUpdate(dataset.Id, "processing", null));
            return dataset;
        }
        finally
        {
            if (File.Exists(tempPath)) File.Delete(tempPath);
        }
    }

    /// <summary>Deletes a dataset no search uses, with its blobs; false when the caller has no such dataset.</summary>
    public async Task<bool> DeleteAsync(Guid id, Caller caller, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var dataset = await db.Datasets.VisibleTo(caller).FirstOrDefaultAsync(d => d.Id == id, ct);
        if (dataset is null) return false;
        if (dataset.Status == DatasetStatus.Processing)
            throw new PlatformException("The dataset is still being processed; delete it once it is ready or failed.", 409);
        int searches = await db.Searches.CountAsync(s => s.DatasetId == id, ct);
        if (searches > 0)
            throw new PlatformException($"{searches} search(es) use this dataset; delete them first.", 409);
        db.Datasets.Remove(dataset);
        await db.SaveChangesAsync(ct);
        blobs.DeletePrefix($"datasets/{id}/");
        return true;
    }

    /// <summary>
    /// The largest upload the user may send now: the per-upload limit, or less when their storage
    /// quota (the sum of their datasets' uploads) is nearly used up.
    /// </summary>
    /// <exception cref="PlatformException">413 when the quota is used up.</exception>
    public async Task<UploadLimit> UploadAllowanceAsync(Guid userId, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var (used, quota) = await AccountService.StorageAsync(db, userId, options.Value.Accounts.DefaultStorageQuotaBytes, ct);
        long left = quota - used;
        string usage = $"your datasets use {used:N0} of your {quota:N0}-byte storage quota";
        if (left <= 0) throw new PlatformException($"Your storage quota is used up ({usage}); delete datasets before uploading more.", 413);
        long perUpload = options.Value.MaxUploadBytes;
        return left < perUpload
            ? new UploadLimit(left, $"The upload is larger than the {left:N0} bytes left of your storage quota ({usage}).")
            : new UploadLimit(perUpload, $"The upload is larger than the limit of {perUpload} bytes.");
    }

    public DatasetLimits Limits => DatasetLimits.Default with { MaxExpandedBytes = Math.Max(options.Value.MaxUploadBytes * 4, 1L << 30) };

    public static string ValidateName(string? name)
    {
        name = name?.Trim() ?? "";
        if (name.Length == 0) throw new PlatformException("A dataset needs a name.");
        if (name.Length > MaxNameLength) throw new PlatformException($"The name is longer than {MaxNameLength} characters.");
        if (name.Any(char.IsControl)) throw new PlatformException("The name contains control characters.");
        return name;
    }
}
