using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using System.Security.Claims;
using NasPlatform.Data;
using NasPlatform.Platform.Accounts;
using NasPlatform.Web.Security;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Web.Api;

public static class DatasetsApi
{
    public static void MapDatasetsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/datasets").WithTags("Datasets");
        api.MapPost("/", Upload).WithName("UploadDataset")
            .WithSummary("Upload a dataset (multipart: file, name, optional format = idx-zip | cifar | imagefolder-zip | segmentation-zip | detection-zip)")
            .WithDescription("Answers 201 at once; ingestion continues in the background (status processing -> ready | failed with error).")
            .Accepts<IFormFile>("multipart/form-data")
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422).ProducesProblem(429).RequireWrite();
        api.MapGet("/", List).WithName("ListDatasets").WithSummary("All datasets, newest first");
        api.MapGet("/{id:guid}", Get).WithName("GetDataset").WithSummary("One dataset with its classes, counts and input shape");
        api.MapGet("/{id:guid}/preview/{classIndex:int}", Preview).WithName("GetDatasetPreview")
            .WithSummary("PNG strip of the first training images of one class");
        api.MapPost("/{id:guid}/segmentation-demo", MakeSegmentationDemo).WithName("MakeSegmentationDemo")
            .WithSummary("Make a segmentation dataset from this grey classification dataset (JSON: name, count = 2000, size = 64, seed = 1)")
            .WithDescription("2 to 4 of its training images per canvas of size x size pixels, each item's ink labelled with its class; the new dataset is ingested like an upload (201 at once).")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).RequireWrite();
        api.MapDelete("/{id:guid}", Delete).WithName("DeleteDataset").WithSummary("Delete a dataset no search uses, with its files").RequireWrite();
    }

    private static async Task<Results<Created<DatasetCreated>, ProblemHttpResult>> Upload(HttpRequest request, ClaimsPrincipal user,
        DatasetService datasets, UploadSlots slots, IOptions<PlatformOptions> options, CancellationToken ct)
    {
        var caller = Caller.Of(user);
        int maxConcurrent = options.Value.Accounts.MaxConcurrentUploadsPerUser;
        using var slot = slots.TryTake(caller.UserId, maxConcurrent);
        if (slot is null) return Problems.Of(429, $"You already have {maxConcurrent} uploads in progress; wait for one to finish.");
        try
        {
            var allowance = await datasets.UploadAllowanceAsync(caller.UserId, ct);
            var upload = await UploadReader.ReadAsync(request, Path.Combine(options.Value.FullDataPath, "tmp"), allowance, ct);
            var dataset = await datasets.CreateAsync(caller.UserId, upload.Name ?? "", upload.Format, upload.TempPath, ct);
            return TypedResults.Created($"/api/v1/datasets/{dataset.Id}", new DatasetCreated(dataset.Id, dataset.Name, "processing"));
        }
        catch (PlatformException e)
        {
            return Problems.From(e);
        }
    }

    private static async Task<Results<Created<DatasetCreated>, ProblemHttpResult>> MakeSegmentationDemo(Guid id, SegmentationDemoRequest? request, ClaimsPrincipal user,
        SegmentationDemo demo, CancellationToken ct)
    {
        try
        {
            var dataset = await demo.CreateAsync(id, request ?? new SegmentationDemoRequest(), Caller.Of(user), ct);
            return TypedResults.Created($"/api/v1/datasets/{dataset.Id}", new DatasetCreated(dataset.Id, dataset.Name, "processing"));
        }
        catch (PlatformException e)
        {
            return Problems.From(e);
        }
    }

    private static async Task<Ok<List<DatasetDto>>> List(ClaimsPrincipal user, IDbContextFactory<NasDbContext> dbf, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var rows = await db.Datasets.AsNoTracking().VisibleTo(Caller.Of(user)).OrderByDescending(d => d.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(DatasetDto.From).ToList());
    }

    private static async Task<Results<Ok<DatasetDto>, ProblemHttpResult>> Get(Guid id, ClaimsPrincipal user, IDbContextFactory<NasDbContext> dbf, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var row = await db.Datasets.AsNoTracking().VisibleTo(Caller.Of(user)).FirstOrDefaultAsync(d => d.Id == id, ct);
        return row is null ? Problems.NotFound("Dataset", id) : TypedResults.Ok(DatasetDto.From(row));
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Preview(Guid id, int classIndex, ClaimsPrincipal user,
        IDbContextFactory<NasDbContext> dbf, IBlobStore blobs, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        if (!await db.Datasets.VisibleTo(Caller.Of(user)).AnyAsync(d => d.Id == id, ct)) return Problems.NotFound("Dataset", id);
        var key = DatasetIngestionJob.PreviewKey(id, classIndex);
        if (!blobs.Exists(key)) return Problems.Of(404, $"Dataset {id} has no preview for class {classIndex}.");
        return TypedResults.Stream(blobs.OpenRead(key), "image/png");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, ClaimsPrincipal user, DatasetService datasets, CancellationToken ct)
    {
        try
        {
            return await datasets.DeleteAsync(id, Caller.Of(user), ct) ? TypedResults.NoContent() : Problems.NotFound("Dataset", id);
        }
        catch (PlatformException e)
        {
            return Problems.From(e);
        }
    }
}
