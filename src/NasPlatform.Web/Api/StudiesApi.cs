using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Searches;
using NasPlatform.Platform.Studies;

namespace NasPlatform.Web.Api;

public sealed record StudyAccepted(Guid Id, IReadOnlyList<Guid> Searches);

public static class StudiesApi
{
    public static void MapStudiesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/studies").WithTags("Studies");
        api.MapPost("/", Create).WithName("CreateStudy")
            .WithSummary("Compare strategies: one search per strategy and seed (at least 3 seeds) with the same data, device and budget; all start or none")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).RequireWrite();
        api.MapGet("/", List).WithName("ListStudies").WithSummary("Your studies, newest first, with how many of their searches have finished");
        api.MapGet("/{id:guid}", Get).WithName("GetStudy")
            .WithSummary("A study and its summary per strategy: best reward so far against trials and compute seconds (median and range over seeds), " +
                         "hypervolume (reference: metric 0, twice the latency budget), final models' test metric and latency (mean and std), the Pareto front");
    }

    private static async Task<Results<Accepted<StudyAccepted>, ValidationProblem, ProblemHttpResult>> Create(StudyRequest request, ClaimsPrincipal user,
        StudyService studies, CancellationToken ct)
    {
        try
        {
            var (study, searches) = await studies.CreateAsync(request, Caller.Of(user), ct);
            return TypedResults.Accepted($"/api/v1/studies/{study.Id}", new StudyAccepted(study.Id, searches));
        }
        catch (SearchValidationException e)
        {
            return TypedResults.ValidationProblem(e.Errors, title: "The study request is not valid");
        }
        catch (PlatformException e)
        {
            return Problems.From(e);
        }
    }

    private static async Task<Ok<List<StudyDto>>> List(ClaimsPrincipal user, StudyService studies, CancellationToken ct) =>
        TypedResults.Ok(await studies.ListAsync(Caller.Of(user), ct));

    private static async Task<Results<Ok<StudyDto>, ProblemHttpResult>> Get(Guid id, ClaimsPrincipal user, StudyService studies, CancellationToken ct) =>
        await studies.GetAsync(id, Caller.Of(user), ct) is { } study ? TypedResults.Ok(study) : Problems.NotFound("Study", id);
}
