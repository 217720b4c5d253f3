using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Datasets;

namespace NasPlatform.Platform.Devices;

/// <summary>A device with the token its agent uses; the token exists nowhere else.</summary>
public sealed record CreatedDevice(EdgeDevice Device, string Token);

/// <summary>
/// Users' edge devices: created with a token ("nasd_" + 256 random bits, kept as a SHA-256 hash), named
/// by searches as <c>agent:NAME</c>, online while their agent has asked for work recently.
/// </summary>
public sealed partial class EdgeDeviceService(IDbContextFactory<NasDbContext> dbf, IOptions<PlatformOptions> options, TimeProvider time)
{
    public const string TokenPrefix = "nasd_", TargetPrefix = "agent:";

    private AgentOptions Agents => options.Value.Agents;

    public async Task<CreatedDevice> CreateAsync(Caller caller, string? name, CancellationToken ct)
    {
        name = name?.Trim() ?? "";
        if (!NameRule().IsMatch(name))
            throw new PlatformException("A device name is 1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit.");
        string token = TokenPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var device = new EdgeDevice { Id = Guid.NewGuid(), OwnerId = caller.UserId, Name = name, TokenHash = ApiTokenService.HashOf(token), CreatedAt = time.GetUtcNow() };
        await using var db = await dbf.CreateDbContextAsync(ct);
        if (await db.EdgeDevices.AnyAsync(d => d.OwnerId == caller.UserId && d.Name == name, ct))
            throw new PlatformException($"You already have a device named '{name}'.", 409);
        if (await db.EdgeDevices.CountAsync(d => d.OwnerId == caller.UserId, ct) >= Agents.MaxDevicesPerUser)
            throw new PlatformException($"A user may register at most {Agents.MaxDevicesPerUser} devices.", 409);
        db.EdgeDevices.Add(device);
        await db.SaveChangesAsync(ct);
        return new CreatedDevice(device, token);
    }

    public async Task<List<EdgeDevice>> ListAsync(Caller caller, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        return await db.EdgeDevices.AsNoTracking().VisibleTo(caller).OrderBy(d => d.Name).ToListAsync(ct);
    }

    /// <summary>Deletes a device with its queued measurements; false when the caller has no such device.</summary>
    public async Task<bool> DeleteAsync(Caller caller, Guid id, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        return await db.EdgeDevices.VisibleTo(caller).Where(d => d.Id == id).ExecuteDeleteAsync(ct) > 0;
    }

    /// <summary>The device a token belongs to (null for any other string); each call counts as the agent being seen.</summary>
    public async Task<EdgeDevice?> AuthenticateAsync(string? token, string? hardware, CancellationToken ct)
    {
        if (token is null || !token.StartsWith(TokenPrefix, StringComparison.Ordinal)) return null;
        string hash = ApiTokenService.HashOf(token);
        await using var db = await dbf.CreateDbContextAsync(ct);
        var device = await db.EdgeDevices.FirstOrDefaultAsync(d => d.TokenHash == hash, ct);
        if (device is null) return null;
        device.LastSeenAt = time.GetUtcNow();
        if (hardware is { Length: > 0 }) device.Hardware = hardware.Length > 1000 ? hardware[..1000] : hardware;
        await db.SaveChangesAsync(ct);
        return device;
    }

    /// <summary>Whether the device's agent asked for work recently (it asks at least every poll wait).</summary>
    public bool IsOnline(EdgeDevice device) =>
        device.LastSeenAt is { } seen && time.GetUtcNow() - seen <= TimeSpan.FromSeconds(Agents.OnlineSeconds);

    /// <summary>The device a search names as <c>agent:NAME</c>, among the owner's; null when it has none by that name.</summary>
    public static async Task<EdgeDevice?> FindAsync(NasDbContext db, Guid ownerId, string target, CancellationToken ct)
    {
        if (!target.StartsWith(TargetPrefix, StringComparison.Ordinal)) return null;
        string name = target[TargetPrefix.Length..];
        return await db.EdgeDevices.AsNoTracking().FirstOrDefaultAsync(d => d.OwnerId == ownerId && d.Name == name, ct);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex NameRule();
}
