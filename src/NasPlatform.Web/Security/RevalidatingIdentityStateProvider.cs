using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Configuration;

namespace NasPlatform.Web.Security;

/// <summary>
/// A Blazor circuit keeps the user it started with; this re-checks every minute (the setting) that the account
/// still exists, is not disabled and has the same security stamp (no password change since), and
/// otherwise ends the circuit's sign-in (the page then sends the browser to log in).
/// </summary>
public sealed class RevalidatingIdentityStateProvider(ILoggerFactory logs, IServiceScopeFactory scopes, IOptions<IdentityOptions> identity,
    IOptions<PlatformOptions> options) : RevalidatingServerAuthenticationStateProvider(logs)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(options.Value.Accounts.SessionRevalidationSeconds);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PlatformUser>>();
        var user = await users.GetUserAsync(state.User);
        if (user is null || user.IsDisabled) return false;
        var stamp = state.User.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(user);
    }
}
