namespace NasPlatform.Data.Entities;

/// <summary>
/// A personal API token. Only a SHA-256 hash of the secret is kept: the secret is shown once, and
/// a leaked database does not leak working tokens.
/// </summary>
public sealed class ApiToken : IOwned
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public required string Name { get; set; }

    /// <summary>The first characters of the token, so a user can tell tokens apart.</summary>
    public required string Prefix { get; set; }

    /// <summary>Hex SHA-256 of the whole token.</summary>
    public required string Hash { get; set; }
    public bool ReadOnly { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
