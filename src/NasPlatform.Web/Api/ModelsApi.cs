using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NasPlatform.Data;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Searches;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Web.Api;

public static class ModelsApi
{
    public static void MapModelsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/models").WithTags("Models");
        api.MapGet("/", List).WithName("ListModels").WithSummary("Trained models, newest first");
        api.MapGet("/{id:guid}", Get).WithName("GetModel").WithSummary("Architecture and metrics of a trained model");
        api.MapGet("/{id:guid}/download", Download).WithName("DownloadModel")
            .WithSummary("A zip with the TorchSharp weights (model.bin), the ONNX graph (model.onnx), the PyTorch state dict and source (model.pt, model.py), architecture.json and a model card (model-card.md, model-card.json)");
        api.MapGet("/{id:guid}/onnx", Onnx).WithName("DownloadModelOnnx")
            .WithSummary("The model as an ONNX graph (opset 17, batch size free), checked against TorchSharp with ONNX Runtime when it was written");
    }

    private static async Task<Ok<List<ModelDto>>> List(ClaimsPrincipal user, IDbContextFactory<NasDbContext> dbf, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var rows = await db.Models.AsNoTracking().VisibleTo(Caller.Of(user)).OrderByDescending(m => m.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(ModelDto.From).ToList());
    }

    private static async Task<Results<Ok<ModelDto>, ProblemHttpResult>> Get(Guid id, ClaimsPrincipal user, IDbContextFactory<NasDbContext> dbf, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var row = await db.Models.AsNoTracking().VisibleTo(Caller.Of(user)).FirstOrDefaultAsync(m => m.Id == id, ct);
        return row is null ? Problems.NotFound("Model", id) : TypedResults.Ok(ModelDto.From(row));
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Onnx(Guid id, ClaimsPrincipal user,
        IDbContextFactory<NasDbContext> dbf, IBlobStore blobs, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var model = await db.Models.AsNoTracking().VisibleTo(Caller.Of(user)).FirstOrDefaultAsync(m => m.Id == id, ct);
        if (model is null) return Problems.NotFound("Model", id);
        if (model.OnnxBlob is null)
            return Problems.Of(404, $"Model {id} has no ONNX file: {(model.OnnxJson is null ? "it was trained before ONNX export existed" : JsonNode.Parse(model.OnnxJson)?["error"])}.");
        if (!blobs.Exists(model.OnnxBlob)) return Problems.Of(404, $"The ONNX file of model {id} is missing from the blob store.");
        return TypedResults.Stream(blobs.OpenRead(model.OnnxBlob), "application/octet-stream", $"{ModelPackage.FileStem(model)}.onnx");
    }

    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Download(Guid id, HttpContext http, ClaimsPrincipal user,
        IDbContextFactory<NasDbContext> dbf, IBlobStore blobs, SearchSetup setup, CancellationToken ct)
    {
        // DeflateStream writes its last block synchronously when an entry is closed, even in async code.
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpBodyControlFeature>() is { } body) body.AllowSynchronousIO = true;
        await using var db = await dbf.CreateDbContextAsync(ct);
        var model = await db.Models.AsNoTracking().VisibleTo(Caller.Of(user)).FirstOrDefaultAsync(m => m.Id == id, ct);
        if (model is null) return Problems.NotFound("Model", id);
        var search = await db.Searches.AsNoTracking().Include(s => s.Dataset).FirstAsync(s => s.Id == model.SearchId, ct);
        if (!blobs.Exists(model.WeightsBlob)) return Problems.Of(404, $"The weights of model {id} are missing from the blob store.");
        var task = setup.Catalog.Tasks.Contains(model.Task) ? setup.Catalog.Tasks.Get(model.Task) : null;
        Engine.Spaces.ArchitectureView? view = null;
        try
        {
            view = setup.Describe(search, model.ArchitectureJson);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // A space this host no longer knows (or reads differently): the card goes without the architecture's view.
        }
        return TypedResults.Stream(stream => ModelPackage.WriteAsync(stream, model, search, task, view, blobs),
            "application/zip", $"{ModelPackage.FileStem(model)}.zip");
    }
}
