using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Datasets.Segmentation;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Platform.Datasets;

/// <summary>What a demo segmentation set is made of: its name, how many canvases, their side, the generator's seed.</summary>
public sealed record SegmentationDemoRequest(string? Name = null, int Count = 2000, int Size = 64, long Seed = 1);

/// <summary>
/// Makes a segmentation dataset from a ready grey classification dataset (Fashion-MNIST, say) with the demo generator of
/// the CLI (<see cref="SegmentationSynth"/>: 2 to 4 items per canvas, each item's ink labelled with its class), so a user
/// can try segmentation at once. The set is written as an upload would be and goes through the same ingestion.
/// </summary>
public sealed class SegmentationDemo(IDbContextFactory<NasDbContext> dbf, IBlobStore blobs, DatasetService datasets, IOptions<PlatformOptions> options)
{
    public const int MaxCount = 20_000, MaxSize = 256;

    public async Task<Dataset> CreateAsync(Guid sourceId, SegmentationDemoRequest request, Caller caller, CancellationToken ct)
    {
        if (request.Count is < 10 or > MaxCount) throw new PlatformException($"count must be between 10 and {MaxCount}.");
        if (request.Size is < 8 or > MaxSize) throw new PlatformException($"size must be between 8 and {MaxSize} pixels.");
        Dataset source;
        await using (var db = await dbf.CreateDbContextAsync(ct))
            source = await db.Datasets.AsNoTracking().VisibleTo(caller).FirstOrDefaultAsync(d => d.Id == sourceId, ct)
                     ?? throw new PlatformException($"Dataset {sourceId} does not exist.", 404);
        if (source.Status != DatasetStatus.Ready || source.DataBlob is null)
            throw new PlatformException($"Dataset '{source.Name}' is not ready.", 409);
        if (source.Task != Engine.Tasks.Classification.ClassificationTask.TaskName || source.Channels != 1)
            throw new PlatformException($"Dataset '{source.Name}' is not a grey classification dataset: the demo places grey items, such as Fashion-MNIST's, on canvases.");
        if (request.Size < Math.Max(source.Height, source.Width))
            throw new PlatformException($"size must be at least the items' size ({source.Height}x{source.Width}).");

        var temp = Path.Combine(options.Value.FullDataPath, "tmp", $"demo-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            var zip = temp + ".zip";
            Engine.Datasets.DatasetBundle data;
            await using (var stream = blobs.OpenRead(source.DataBlob)) data = DecodedDatasetFile.Read(stream);
            // Items from the training part only: the demo's own test part is held out from its canvases.
            var set = SegmentationSynth.Make(data.Train, request.Count, request.Size, request.Seed);
            SegmentationSynth.Write(set, temp);
            ZipFile.CreateFromDirectory(temp, zip);
            var allowance = await datasets.UploadAllowanceAsync(caller.UserId, ct);
            if (new FileInfo(zip).Length > allowance.Bytes)
            {
                File.Delete(zip);
                throw new PlatformException(allowance.TooLarge, 413);
            }
            var name = string.IsNullOrWhiteSpace(request.Name) ? $"{source.Name} segmentation demo" : request.Name;
            // CreateAsync takes the zip over (and deletes it either way).
            return await datasets.CreateAsync(caller.UserId, name, DatasetFormats.SegmentationZip, zip, ct);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
