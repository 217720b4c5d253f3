using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Datasets;

namespace NasPlatform.Platform.Accounts;

/// <summary>The result of creating a token: the row and the secret, which exists nowhere else.</summary>
public sealed record CreatedToken(ApiToken Token, string Secret);

/// <summary>A token that authenticated a request, with its user.</summary>
public sealed record ValidToken(ApiToken Token, PlatformUser User);

/// <summary>Personal API tokens: "nas_" + 256 random bits, stored as a SHA-256 hash only.</summary>
public sealed class ApiTokenService(IDbContextFactory<NasDbContext> dbf, TimeProvider time)
{
    public const string SecretPrefix = "nas_";
    public const int MaxNameLength = 100;

    /// <summary>Last-use times are written at most this often per token, not on every request.</summary>
    private static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    public async Task<CreatedToken> CreateAsync(Guid ownerId, string? name, bool readOnly, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        name = name?.Trim() ?? "";
        if (name.Length == 0) throw new PlatformException("A token needs a name (what or who uses it).");
        if (name.Length > MaxNameLength) throw new PlatformException($"The token name is longer than {MaxNameLength} characters.");
        if (name.Any(char.IsControl)) throw new PlatformException("The token name contains control characters.");
        var now = time.GetUtcNow();
        if (expiresAt is { } e && e <= now) throw new PlatformException("The expiry date is in the past.");
        string secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            Id = Guid.NewGuid(), OwnerId = ownerId, Name = name, Prefix = secret[..12], Hash = HashOf(secret), ReadOnly = readOnly,
            CreatedAt = now, ExpiresAt = expiresAt,
        };
        await using var db = await dbf.CreateDbContextAsync(ct);
        if (!await db.Users.AnyAsync(u => u.Id == ownerId, ct)) throw new PlatformException("No such user.", 404);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(ct);
        return new CreatedToken(token, secret);
    }

    /// <summary>The user's tokens, newest first (revoked ones included, marked as such).</summary>
    public async Task<List<ApiToken>> ListAsync(Guid ownerId, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        return await db.ApiTokens.AsNoTracking().Where(t => t.OwnerId == ownerId).OrderByDescending(t => t.CreatedAt).ToListAsync(ct);
    }

    /// <summary>Revokes one of the user's tokens; false when they have no such token.</summary>
    public async Task<bool> RevokeAsync(Guid ownerId, Guid tokenId, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == tokenId && t.OwnerId == ownerId, ct);
        if (token is null) return false;
        token.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// The token and user a presented secret belongs to, or null when it is unknown, revoked, expired,
    /// or its user is disabled. Looked up on every request, so a revocation applies to the next one.
    /// </summary>
    public async Task<ValidToken?> ValidateAsync(string secret, CancellationToken ct)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 100) return null;
        string hash = HashOf(secret);
        await using var db = await dbf.CreateDbContextAsync(ct);
        // Every API request comes through here: token and owner in one query.
        var found = await (from t in db.ApiTokens
                           join u in db.Users on t.OwnerId equals u.Id
                           where t.Hash == hash
                           select new { Token = t, User = u }).FirstOrDefaultAsync(ct);
        var now = time.GetUtcNow();
        if (found is null) return null;
        var (token, user) = (found.Token, found.User);
        // A disabled account's tokens stop; a temporary lock-out after failed log-ins does not stop them, or
        // anyone who knows an e-mail address could cut off that user's pipelines with wrong passwords.
        if (token.RevokedAt is not null || token.ExpiresAt <= now || user.IsDisabled) return null;
        if (token.LastUsedAt is null || now - token.LastUsedAt >= LastUseResolution)
        {
            token.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }
        return new ValidToken(token, user);
    }

    public static string HashOf(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
