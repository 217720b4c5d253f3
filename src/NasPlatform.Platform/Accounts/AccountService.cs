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
        if (await AnyUserAsync(ct)) throw new PlatformException("The platform is already set up; an administrator creates further accounts.", 409);
        return await CreateUserAsync(email, password, isAdmin: true, ct);
    }

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
