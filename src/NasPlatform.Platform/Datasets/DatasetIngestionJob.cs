using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Datasets.Segmentation;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Progress;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Platform.Datasets;

/// <summary>
/// Turns an uploaded archive into a ready dataset: decodes and checks every image (and mask), writes the decoded
/// file workers train from, the per-class preview strips (masks or boxes drawn over their images) and the class histogram. On any problem the
/// dataset ends failed with the reason, and its blobs are removed.
/// </summary>
[AutomaticRetry(Attempts = 0)]
public sealed class DatasetIngestionJob(IDbContextFactory<NasDbContext> dbf, IBlobStore blobs, IProgressSink progress,
    IOptions<PlatformOptions> options, DatasetService datasets, TimeProvider time, ILogger<DatasetIngestionJob> log)
{
    public async Task RunAsync(Guid datasetId, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var dataset = await db.Datasets.FirstOrDefaultAsync(d => d.Id == datasetId, ct);
        if (dataset is null || dataset.Status != DatasetStatus.Processing || dataset.UploadBlob is null) return;

        var work = Path.Combine(options.Value.FullDataPath, "tmp", $"{dataset.Id:N}-{SafeFolderName(dataset.Name)}");
        try
        {
            var bundle = Decode(dataset, work);
            var train = bundle.Train;
            dataset.DataBlob = $"datasets/{dataset.Id}/data.bin";
            await blobs.WriteFileAsync(dataset.DataBlob, path =>
            {
                using var file = File.Create(path);
                DecodedDatasetFile.Write(file, bundle);
                return Task.CompletedTask;
            }, ct);
            for (int k = 0; k < train.NumClasses; k++)
                await blobs.WriteAsync(PreviewKey(dataset.Id, k), new MemoryStream(PreviewBuilder.ClassStrip(train, k)), ct);

            dataset.Channels = train.Channels;
            dataset.Height = train.Height;
            dataset.Width = train.Width;
            dataset.NumClasses = train.NumClasses;
            dataset.ClassNames = [.. train.ClassNames];
            if (train.Boxes is { } boxes)
            {
                dataset.Task = Engine.Tasks.Detection.DetectionTask.TaskName;
                dataset.ClassCounts = [.. Enumerable.Range(0, train.NumClasses).Select(k => boxes.Sum(image => image.Count(b => b.Class == k)))];
            }
            else if (train.Masks is null) dataset.ClassCounts = [.. train.ClassCounts()];
            else
            {
                var (images, shares) = MaskStatistics.Of(train);
                dataset.Task = Engine.Tasks.Segmentation.SegmentationTask.TaskName;
                dataset.ClassCounts = [.. images];
                dataset.PixelShares = [.. shares];
            }
            dataset.TrainCount = train.Count;
            dataset.TestCount = bundle.Test.Count;
            // The work folder goes before the status changes: whoever sees the outcome sees no leftovers.
            DeleteWork(work);
            dataset.Status = DatasetStatus.Ready;
            dataset.ReadyAt = time.GetUtcNow();
            await db.SaveChangesAsync(ct);
            await progress.DatasetChanged(new DatasetUpdate(dataset.Id, "ready", null));
        }
        catch (Exception e) when (e is DatasetFormatException or InvalidDataException or IOException or OutOfMemoryException)
        {
            log.LogWarning("Dataset {Id} refused: {Reason}", dataset.Id, e.Message);
            // Messages name files inside the archive; the server's own work folder means nothing to the user.
            var message = (e is DatasetFormatException ? e.Message : $"The dataset could not be read: {e.Message}")
                .Replace($"IDX dataset folder '{Path.Combine(work, "files")}'", "The archive").Replace(work + Path.DirectorySeparatorChar, "");
            DeleteWork(work);
            await FailAsync(db, dataset, message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Ingestion of dataset {Id} failed", dataset.Id);
            DeleteWork(work);
            await FailAsync(db, dataset, $"Ingestion failed unexpectedly: {e.Message}");
        }
        finally
        {
            DeleteWork(work);
        }
    }

    private static void DeleteWork(string work)
    {
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
    }

    public static string PreviewKey(Guid datasetId, int classIndex) => $"datasets/{datasetId}/preview/{classIndex}.png";

    private DatasetBundle Decode(Dataset dataset, string work)
    {
        var limits = datasets.Limits;
        // The readers need a seekable local file: a folder store hands out its own, any other store is copied into the work folder.
        Directory.CreateDirectory(work);
        string upload;
        if (blobs is FileBlobStore files) upload = Path.Combine(files.Root, dataset.UploadBlob!);
        else
        {
            upload = Path.Combine(work, "upload.zip");
            using var source = blobs.OpenRead(dataset.UploadBlob!);
            using var local = File.Create(upload);
            source.CopyTo(local);
        }
        var engineFormat = DatasetFormats.ToEngine(dataset.Format);
        if (engineFormat == DatasetLoader.ImageFolder)
            return DatasetLoader.Load(upload, engineFormat, new ImageFolderOptions { Limits = limits, MinImagesPerClass = options.Value.MinImagesPerClass });
        var extracted = Path.Combine(work, "files");
        Directory.CreateDirectory(extracted);
        if (engineFormat == DatasetLoader.Segmentation) SegmentationArchive.ExtractTo(upload, extracted, limits);
        else if (engineFormat == DatasetLoader.Detection) Engine.Datasets.Detection.DetectionArchive.Layout.ExtractTo(upload, extracted, limits);
        else ArchiveExtractor.ExtractTo(upload, extracted, limits);
        return DatasetLoader.Load(extracted, engineFormat, new ImageFolderOptions { Limits = limits });
    }

    private async Task FailAsync(NasDbContext db, Dataset dataset, string error)
    {
        dataset.Status = DatasetStatus.Failed;
        dataset.Error = error;
        dataset.DataBlob = null;
        dataset.UploadBlob = null;
        await db.SaveChangesAsync(CancellationToken.None);
        blobs.DeletePrefix($"datasets/{dataset.Id}/");
        await progress.DatasetChanged(new DatasetUpdate(dataset.Id, "failed", error));
    }

    /// <summary>The IDX reader recognises Fashion-MNIST by its folder name, so the name is kept (made safe).</summary>
    private static string SafeFolderName(string name) =>
        new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').Take(60).ToArray());
}
