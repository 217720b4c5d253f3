using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Datasets;

namespace NasPlatform.Platform.Accounts;

/// <summary>Creating accounts (first-run setup, administrators, the admin command line, open registration).</summary>
public sealed class AccountService(IServiceScopeFactory scopes, IDbContextFactory<NasDbContext> dbf, TimeProvider time)
{
    public async Task<bool> AnyUserAsync(CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        return await db.Users.AnyAsync(ct);
    }

    /// <summary>Creates an account; Identity's password and e-mail rules apply and their messages are the error.</summary>
    /// <exception cref="PlatformException">Invalid e-mail, weak password, or the e-mail is taken (409).</exception>
    public async Task<PlatformUser> CreateUserAsync(string? email, string? password, bool isAdmin, CancellationToken ct)
    {
        email = email?.Trim() ?? "";
        if (!IsEmail(email)) throw new PlatformException("Enter a valid e-mail address.");
        if (string.IsNullOrEmpty(password)) throw new PlatformException("Enter a password.");
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>();
        if (await users.FindByEmailAsync(email) is not null) throw new PlatformException($"An account for {email} already exists.", 409);
        var user = new PlatformUser { Id = Guid.NewGuid(), UserName = email, Email = email, IsAdmin = isAdmin, CreatedAt = time.GetUtcNow() };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded) throw new PlatformException(string.Join(" ", result.Errors.Select(e => e.Description)));
        if (isAdmin) await AdoptUnownedAsync(user.Id, ct);
        return user;
    }

    /// <summary>
    /// The first-run setup: creates the administrator only while no account exists, so a setup page
    /// or setting cannot be used later to take over the platform.
    /// </summary>
    public async Task<PlatformUser> CreateFirstAdministratorAsync(string? email, string? password, CancellationToken ct)
    {
        // Check and create as one step: two set-up posts racing each other must not both make an administrator.
        await SetupLock.WaitAsync(ct);
        try
        {
            if (await AnyUserAsync(ct)) throw new PlatformException("The platform is already set up; an administrator creates further accounts.", 409);
            return await CreateUserAsync(email, password, isAdmin: true, ct);
        }
        finally
        {
            SetupLock.Release();
        }
    }

    private static readonly SemaphoreSlim SetupLock = new(1, 1);

    public async Task<PlatformUser?> FindByEmailAsync(string email, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        string normalized = email.Trim().ToUpperInvariant();
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, ct);
    }

    public async Task<List<PlatformUser>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(ct);
    }

    /// <summary>
    /// Disables (or re-enables) an account: it cannot sign in, its API tokens stop working at once, and
    /// its browser sessions and open pages end within a minute (the security stamp changes).
    /// <paramref name="by"/> is the administrator asking; null = the operator at the shell (admin commands).
    /// </summary>
    /// <exception cref="PlatformException">The account is the caller's own, the caller is no (enabled) administrator, or it is the last enabled administrator.</exception>
    public async Task SetDisabledAsync(Guid userId, bool disabled, Caller? by, CancellationToken ct)
    {
        if (userId == by?.UserId) throw new PlatformException("You cannot disable or enable your own account.", 409);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>();
        if (by is not null)
        {
            // The caller as the database has it now, not as their session remembers them.
            var admin = await users.FindByIdAsync(by.UserId.ToString());
            if (admin is not { IsAdmin: true, IsDisabled: false }) throw new PlatformException("Only administrators may disable accounts.", 403);
        }
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new PlatformException("No such account.", 404);
        if (disabled && user.IsAdmin && !user.IsDisabled && users.Users.Where(u => u.IsAdmin).AsEnumerable().Count(u => !u.IsDisabled) <= 1)
            throw new PlatformException("This is the last enabled administrator.", 409);
        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, disabled ? DateTimeOffset.MaxValue : null);
        await users.ResetAccessFailedCountAsync(user);
        await users.UpdateSecurityStampAsync(user);
    }

    /// <exception cref="PlatformException">The current password is wrong or the new one too weak.</exception>
    public async Task ChangePasswordAsync(Guid userId, string? current, string? next, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>();
        var user = await users.FindByIdAsync(userId.ToString()) ?? throw new PlatformException("No such account.", 404);
        var result = await users.ChangePasswordAsync(user, current ?? "", next ?? "");
        if (!result.Succeeded) throw new PlatformException(string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    /// <summary>Bytes of uploads the user keeps, and their quota.</summary>
    public async Task<(long Used, long Quota)> StorageAsync(Guid userId, long defaultQuota, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        return await StorageAsync(db, userId, defaultQuota, ct);
    }

    public static async Task<(long Used, long Quota)> StorageAsync(NasDbContext db, Guid userId, long defaultQuota, CancellationToken ct)
    {
        long? own = await db.Users.Where(u => u.Id == userId).Select(u => u.StorageQuotaBytes).FirstOrDefaultAsync(ct);
        long used = await db.Datasets.Where(d => d.OwnerId == userId).SumAsync(d => d.UploadBytes, ct);
        return (used, own ?? defaultQuota);
    }

    /// <summary>E-mail of each of these users, for administrators' lists of everyone's resources.</summary>
    public async Task<Dictionary<Guid, string>> EmailsAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        await using var db = await dbf.CreateDbContextAsync(ct);
        return await db.Users.Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email ?? u.UserName ?? "", ct);
    }

    /// <summary>Resources created before accounts existed (owner empty) go to the first administrator.</summary>
    private async Task AdoptUnownedAsync(Guid adminId, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        await db.Datasets.Where(d => d.OwnerId == Guid.Empty).ExecuteUpdateAsync(u => u.SetProperty(d => d.OwnerId, adminId), ct);
        await db.Searches.Where(s => s.OwnerId == Guid.Empty).ExecuteUpdateAsync(u => u.SetProperty(s => s.OwnerId, adminId), ct);
        await db.Models.Where(m => m.OwnerId == Guid.Empty).ExecuteUpdateAsync(u => u.SetProperty(m => m.OwnerId, adminId), ct);
    }

    private static bool IsEmail(string s) =>
        s.Length is > 2 and <= 256 && s.IndexOf('@') is var at && at > 0 && at < s.Length - 1 && !s.Any(char.IsWhiteSpace) && s.Count(c => c == '@') == 1;
}
