using System.Security.Claims;

namespace NasPlatform.Platform.Accounts;

/// <summary>Claim names and values the platform puts on its principals.</summary>
public static class PlatformClaims
{
    /// <summary>read or write: what an API token (or a logged-in user, always write) may do.</summary>
    public const string Scope = "nas:scope";
    public const string Read = "read";
    public const string Write = "write";
    public const string AdminRole = "admin";

    /// <summary>Authorization policy names.</summary>
    public const string CanWritePolicy = "nas-write";
    public const string AdminPolicy = "nas-admin";
}

/// <summary>Who is asking: every query for owned resources is filtered by it.</summary>
public sealed record Caller(Guid UserId, bool IsAdmin)
{
    /// <summary>The signed-in user of a request or circuit; null when the principal is anonymous.</summary>
    public static Caller? From(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true) return null;
        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        return Guid.TryParse(id, out var userId) ? new Caller(userId, principal.IsInRole(PlatformClaims.AdminRole)) : null;
    }

    /// <summary>Like <see cref="From"/> where authorization already ran, so anonymity is a bug.</summary>
    public static Caller Of(ClaimsPrincipal principal) =>
        From(principal) ?? throw new InvalidOperationException("An endpoint that needs a user was reached without one; check its authorization.");
}
