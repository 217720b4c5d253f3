using Microsoft.AspNetCore.Http.HttpResults;
using NasPlatform.Platform.Datasets;

namespace NasPlatform.Web.Api;

/// <summary>RFC 7807 answers with a title per status and the platform's message as the detail.</summary>
public static class Problems
{
    public static ProblemHttpResult From(PlatformException e) => Of(e.StatusCode, e.Message);

    public static ProblemHttpResult Of(int status, string detail) => TypedResults.Problem(detail: detail, statusCode: status, title: status switch
    {
        400 => "Bad request",
        404 => "Not found",
        409 => "Conflict",
        413 => "Upload too large",
        415 => "Unsupported media type",
        422 => "Invalid dataset",
        429 => "Too many requests",
        _ => null,
    });

    public static ProblemHttpResult NotFound(string what, Guid id) => Of(404, $"{what} {id} does not exist.");
}
