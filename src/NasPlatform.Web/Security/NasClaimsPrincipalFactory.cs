using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Accounts;

namespace NasPlatform.Web.Security;

/// <summary>A signed-in user may do everything their account may (write scope); administrators get the admin role.</summary>
public sealed class NasClaimsPrincipalFactory(UserManager<PlatformUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<PlatformUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PlatformUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(PlatformClaims.Scope, PlatformClaims.Write));
        if (user.IsAdmin) identity.AddClaim(new Claim(ClaimTypes.Role, PlatformClaims.AdminRole));
        return identity;
    }
}
