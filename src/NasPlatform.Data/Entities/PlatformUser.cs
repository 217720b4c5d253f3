using Microsoft.AspNetCore.Identity;

namespace NasPlatform.Data.Entities;

/// <summary>An account (ASP.NET Core Identity); administrators see every user's resources.</summary>
public sealed class PlatformUser : IdentityUser<Guid>
{
    public bool IsAdmin { get; set; }

    /// <summary>Bytes of uploads this user may keep; null = the platform's default quota.</summary>
    public long? StorageQuotaBytes { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Disabled by an administrator: locked out until the end of time (a lock-out after failed log-ins ends sooner).</summary>
    public bool IsDisabled => LockoutEnd is { } end && end.Year >= 9999;
}
