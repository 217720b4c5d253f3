using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Searches;
using NasPlatform.Platform.Webhooks;

namespace NasPlatform.Web.Api;

/// <summary>Body of POST /api/v1/webhooks; events empty or absent = all of them.</summary>
public sealed record WebhookRequest(string? Url, List<string>? Events);

public static class WebhooksApi
{
    public static void MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks");
        api.MapPost("/", Create).WithName("CreateWebhook")
            .WithSummary("Register a URL for your searches' events (search.started, trial.finished, search.succeeded, search.failed, search.cancelled). " +
                "The answer holds the signing secret, shown only this once; each delivery carries X-NasPlatform-Signature: t=UNIX,v1=HMAC-SHA256(secret, \"t.body\")")
            .ProducesValidationProblem().ProducesProblem(409).RequireWrite();
        api.MapGet("/", List).WithName("ListWebhooks").WithSummary("Your webhooks, newest first (without their secrets)");
        api.MapGet("/{id:guid}/deliveries", Deliveries).WithName("ListWebhookDeliveries")
            .WithSummary("A webhook's newest deliveries with their status (pending, delivered, failed), tries, next try and the receiver's last answer");
        api.MapDelete("/{id:guid}", Delete).WithName("DeleteWebhook").WithSummary("Remove a webhook; deliveries still owed are dropped").RequireWrite();
    }

    private static async Task<Results<Created<WebhookView>, ValidationProblem, ProblemHttpResult>> Create(WebhookRequest request, ClaimsPrincipal user,
        WebhookService webhooks, CancellationToken ct)
    {
        try
        {
            var hook = await webhooks.CreateAsync(Caller.Of(user), request.Url, request.Events, ct);
            return TypedResults.Created($"/api/v1/webhooks/{hook.Id}", hook);
        }
        catch (SearchValidationException e)
        {
            return TypedResults.ValidationProblem(e.Errors, title: "The webhook is not valid");
        }
        catch (PlatformException e)
        {
            return Problems.From(e);
        }
    }

    private static async Task<Ok<List<WebhookView>>> List(ClaimsPrincipal user, WebhookService webhooks, CancellationToken ct) =>
        TypedResults.Ok(await webhooks.ListAsync(Caller.Of(user), ct));

    private static async Task<Results<Ok<List<DeliveryView>>, ProblemHttpResult>> Deliveries(Guid id, ClaimsPrincipal user, WebhookService webhooks,
        CancellationToken ct, int limit = 100) =>
        await webhooks.DeliveriesAsync(Caller.Of(user), id, Math.Clamp(limit, 1, 1000), ct) is { } rows ? TypedResults.Ok(rows) : Problems.NotFound("Webhook", id);

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, ClaimsPrincipal user, WebhookService webhooks, CancellationToken ct) =>
        await webhooks.DeleteAsync(Caller.Of(user), id, ct) ? TypedResults.NoContent() : Problems.NotFound("Webhook", id);
}
