using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Searches;
using NasPlatform.Platform.Storage;
using NasPlatform.Platform.Workers;

namespace NasPlatform.Web.Api;

public static class SearchesApi
{
    public const int MaxPageSize = 500;

    public static void MapSearchesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/searches").WithTags("Searches");
        api.MapPost("/", Create).WithName("CreateSearch")
            .WithSummary("Launch a search: datasetId and latencyBudgetMs are required, everything else has a default")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).RequireWrite();
        api.MapGet("/", List).WithName("ListSearches").WithSummary("Searches, newest first (paged)");
        api.MapGet("/{id:guid}", Get).WithName("GetSearch").WithSummary("Status, progress, best trial and final model of a search");
        api.MapGet("/{id:guid}/trials", Trials).WithName("ListTrials")
            .WithSummary("Trials of a search (paged; sort = number | status | metric | latency | reward | params | macs | seconds, desc = true|false)");
        api.MapGet("/{id:guid}/baselines", Baselines).WithName("ListBaselines")
            .WithSummary("The baseline zoo trained beside a search with its final recipe (searches started with baselines = true)");
        api.MapGet("/{id:guid}/repairs", Repairs).WithName("ListSearchRepairs")
            .WithSummary("What the watchdog found stuck in this search (a lost job, a step never taken) and set going again, oldest first");
        api.MapPost("/{id:guid}/cancel", Cancel).WithName("CancelSearch").WithSummary("Stop a search: queued trials are dropped, running ones stop").RequireWrite();
        api.MapPost("/{id:guid}/resume", Resume).WithName("ResumeSearch")
            .WithSummary("Continue a failed or cancelled search from its saved state; unfinished and failed trials run again").RequireWrite();
        api.MapDelete("/{id:guid}", Delete).WithName("DeleteSearch").WithSummary("Delete a finished search with its trials and model").RequireWrite();
    }

    private static async Task<Results<Accepted<SearchAccepted>, ValidationProblem, ProblemHttpResult>> Create(SearchRequest request,
        ClaimsPrincipal user, SearchService searches, CancellationToken ct)
    {
        try
        {
            var search = await searches.CreateAsync(request, Caller.Of(user), ct);
            return TypedResults.Accepted($"/api/v1/searches/{search.Id}", new SearchAccepted(search.Id, "queued"));
        }
        catch (SearchValidationException e)
        {
            return TypedResults.ValidationProblem(e.Errors, title: "The search request is not valid");
        }
        catch (PlatformException e)
        {
            return Problems.From(e);
        }
    }

    private static async Task<Ok<PagedList<SearchDto>>> List(ClaimsPrincipal user, IDbContextFactory<NasDbContext> dbf, WorkerPresence workers, CancellationToken ct,
        int page = 1, int pageSize = 50)
    {
        (page, pageSize) = Clamp(page, pageSize);
        await using var db = await dbf.CreateDbContextAsync(ct);
        var visible = db.Searches.VisibleTo(Caller.Of(user));
        int total = await visible.CountAsync(ct);
        var rows = await visible.AsNoTracking().NewestPage(page, pageSize).ToListAsync(ct);
        var best = await db.BestTrialsAsync(rows.Select(s => s.BestTrialId), ct);
        var online = await workers.OnlineClassesAsync(ct);
        return TypedResults.Ok(new PagedList<SearchDto>(rows.Select(s => SearchDto.From(s, s.BestTrialId is { } b ? best.GetValueOrDefault(b) : null, online)).ToList(),
            total, page, pageSize));
    }

    private static async Task<Results<Ok<SearchDto>, ProblemHttpResult>> Get(Guid id, ClaimsPrincipal user, IDbContextFactory<NasDbContext> dbf,
        WorkerPresence workers, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var search = await db.Searches.AsNoTracking().VisibleTo(Caller.Of(user)).FirstOrDefaultAsync(s => s.Id == id, ct);
        if (search is null) return Problems.NotFound("Search", id);
        var best = search.BestTrialId is { } b ? await db.Trials.AsNoTracking().FirstOrDefaultAsync(t => t.Id == b, ct) : null;
        return TypedResults.Ok(SearchDto.From(search, best, await workers.OnlineClassesAsync(ct)));
    }

    private static async Task<Results<Ok<PagedList<TrialDto>>, ProblemHttpResult>> Trials(Guid id, ClaimsPrincipal user, IDbContextFactory<NasDbContext> dbf,
        CancellationToken ct, int page = 1, int pageSize = 50, string sort = "number", bool desc = false)
    {
        (page, pageSize) = Clamp(page, pageSize);
        await using var db = await dbf.CreateDbContextAsync(ct);
        if (!await db.Searches.VisibleTo(Caller.Of(user)).AnyAsync(s => s.Id == id, ct)) return Problems.NotFound("Search", id);
        var trials = db.Trials.AsNoTracking().Where(t => t.SearchId == id);
        var rows = await trials.PageAsync(sort, desc, page, pageSize, ct);
        if (rows is null) return Problems.Of(400, $"sort is one of {string.Join(", ", TrialQueries.SortKeys)}.");
        int total = await trials.CountAsync(ct);
        return TypedResults.Ok(new PagedList<TrialDto>(rows.Select(t => TrialDto.From(t)).ToList(), total, page, pageSize));
    }

    private static async Task<Results<Ok<List<BaselineDto>>, ProblemHttpResult>> Baselines(Guid id, ClaimsPrincipal user,
        IDbContextFactory<NasDbContext> dbf, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var search = await db.Searches.AsNoTracking().VisibleTo(Caller.Of(user)).FirstOrDefaultAsync(s => s.Id == id, ct);
        if (search is null) return Problems.NotFound("Search", id);
        var model = search.ModelId is { } m ? await db.Models.AsNoTracking().FirstOrDefaultAsync(x => x.Id == m, ct) : null;
        var rows = await db.Baselines.AsNoTracking().Where(b => b.SearchId == id).OrderBy(b => b.Number).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(b => BaselineDto.From(b, model)).ToList());
    }

    private static async Task<Results<Ok<List<RepairDto>>, ProblemHttpResult>> Repairs(Guid id, ClaimsPrincipal user,
        IDbContextFactory<NasDbContext> dbf, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        if (!await db.Searches.AsNoTracking().VisibleTo(Caller.Of(user)).AnyAsync(s => s.Id == id, ct)) return Problems.NotFound("Search", id);
        var rows = await db.Repairs.AsNoTracking().Where(r => r.SearchId == id).Select(r => new RepairDto(r.At, r.Message)).ToListAsync(ct);
        return TypedResults.Ok(rows.OrderBy(r => r.At).ToList());
    }

    private static Task<Results<Ok<SearchDto>, ProblemHttpResult>> Cancel(Guid id, ClaimsPrincipal user, SearchService searches,
        IDbContextFactory<NasDbContext> dbf, WorkerPresence workers, CancellationToken ct) =>
        ChangeAndShow(id, user, () => searches.CancelAsync(id, Caller.Of(user), ct), dbf, workers, ct);

    private static Task<Results<Ok<SearchDto>, ProblemHttpResult>> Resume(Guid id, ClaimsPrincipal user, SearchService searches,
        IDbContextFactory<NasDbContext> dbf, WorkerPresence workers, CancellationToken ct) =>
        ChangeAndShow(id, user, () => searches.ResumeAsync(id, Caller.Of(user), ct), dbf, workers, ct);

    /// <summary>Runs a state change (false = no such search) and answers with the search as it is afterwards.</summary>
    private static async Task<Results<Ok<SearchDto>, ProblemHttpResult>> ChangeAndShow(Guid id, ClaimsPrincipal user, Func<Task<bool>> change,
        IDbContextFactory<NasDbContext> dbf, WorkerPresence workers, CancellationToken ct)
    {
        try
        {
            if (!await change()) return Problems.NotFound("Search", id);
        }
        catch (PlatformException e)
        {
            return Problems.From(e);
        }
        return await Get(id, user, dbf, workers, ct);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, ClaimsPrincipal user, SearchService searches, IBlobStore blobs,
        CancellationToken ct)
    {
        try
        {
            return await searches.DeleteAsync(id, Caller.Of(user), blobs, ct) ? TypedResults.NoContent() : Problems.NotFound("Search", id);
        }
        catch (PlatformException e)
        {
            return Problems.From(e);
        }
    }

    private static (int Page, int PageSize) Clamp(int page, int pageSize) => (Math.Max(1, page), Math.Clamp(pageSize, 1, MaxPageSize));
}
