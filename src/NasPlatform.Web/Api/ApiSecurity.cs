using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using NasPlatform.Platform.Accounts;

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
            if (http.User.Identity?.AuthenticationType == IdentityConstants.ApplicationScheme)
            {
                var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
                if (!await antiforgery.IsRequestValidAsync(http))
                    return Problems.Of(400, "The request lacks a valid antiforgery token; reload the page and try again.");
            }
            return await next(context);
        });
}
