using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Configuration;

namespace NasPlatform.Web.Security;

/// <summary>
/// Authenticates "Authorization: Bearer nas_…" with a personal API token. Browsers cannot set
/// headers on WebSocket connections, so hub requests may carry the token as access_token instead.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiTokenService tokens, IOptions<PlatformOptions> platform) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    public const string TokenIdClaim = "nas:token";


    /// <summary>
    /// Whether the request presents a token where tokens count (the policy scheme routes it here then):
    /// only the REST API and the hub. Elsewhere — pages, the Blazor circuit, the job dashboard — a token
    /// is ignored, so a read-only token cannot act through the UI's services and no token opens the dashboard.
    /// </summary>
    public static bool Presents(HttpContext http) => SecurityServices.IsMachineRequest(http.Request) && ReadToken(http.Request) is not null;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = ReadToken(Request);
        if (secret is null) return AuthenticateResult.NoResult();
        var valid = await tokens.ValidateAsync(secret, Context.RequestAborted);
        if (valid is null) return AuthenticateResult.Fail("The API token is invalid, expired or revoked.");
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, valid.User.Id.ToString()),
            new(ClaimTypes.Name, valid.User.Email ?? valid.User.UserName ?? ""),
            new(PlatformClaims.Scope, valid.Token.ReadOnly ? PlatformClaims.Read : PlatformClaims.Write),
            new(TokenIdClaim, valid.Token.Id.ToString()),
        };
        if (valid.User.IsAdmin) claims.Add(new Claim(ClaimTypes.Role, PlatformClaims.AdminRole));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        // A hub connection lives on after this check; it is closed when the ticket expires (see MapHub), so a
        // revoked token or disabled account loses its live feed within minutes.
        var expires = DateTimeOffset.UtcNow.AddSeconds(platform.Value.Accounts.HubSessionSeconds);
        if (valid.Token.ExpiresAt is { } end && end < expires) expires = end;
        var properties = new AuthenticationProperties { ExpiresUtc = expires };
        return AuthenticateResult.Success(new AuthenticationTicket(principal, properties, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return SecurityProblems.WriteAsync(Context, 401, "The API token is invalid, expired or revoked.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        SecurityProblems.WriteAsync(Context, 403, SecurityProblems.ForbiddenDetail(Context.User));

    private static string? ReadToken(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        if (request.Path.StartsWithSegments("/hubs") && request.Query["access_token"] is { Count: > 0 } q) return q.ToString();
        return null;
    }
}

/// <summary>401/403 answers as RFC 7807 problems, like every other API error.</summary>
public static class SecurityProblems
{
    public static string ForbiddenDetail(ClaimsPrincipal user) => user.HasClaim(PlatformClaims.Scope, PlatformClaims.Read)
        ? "This token is read-only; create a read-write token for this request."
        : "Only administrators may do this.";

    public static async Task WriteAsync(HttpContext http, int status, string detail)
    {
        if (http.Response.HasStarted) return;
        http.Response.StatusCode = status;
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = status, Title = status == 401 ? "Unauthorized" : "Forbidden", Detail = detail },
        });
    }
}
