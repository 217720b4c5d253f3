using Microsoft.AspNetCore.Antiforgery;
using NasPlatform.Platform.Accounts;
using NasPlatform.Web.Security;

namespace NasPlatform.Web.Api;

public static class ApiSecurity
{
    /// <summary>
    /// A request that changes something: it needs write scope, and when it rides on the browser's
    /// session cookie (the UI's upload) an antiforgery token, so another site cannot make a signed-in
    /// browser send it. Token-authenticated requests carry no ambient credential and need none.
    /// </summary>
    public static RouteHandlerBuilder RequireWrite(this RouteHandlerBuilder endpoint) => endpoint
        .RequireAuthorization(PlatformClaims.CanWritePolicy)
        .ProducesProblem(401).ProducesProblem(403)
        .AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            // Only a token is free of ambient credentials; anything else (the session cookie) must prove it came from our page.
            if (http.User.Identity?.AuthenticationType != ApiTokenAuthenticationHandler.SchemeName)
            {
                var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
                if (!await antiforgery.IsRequestValidAsync(http))
                    return Problems.Of(400, "The request lacks a valid antiforgery token; reload the page and try again.");
            }
            return await next(context);
        });
}
