using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Configuration;

namespace NasPlatform.Web.Security;

/// <summary>
/// Accounts (Identity on the product's database, cookies for the UI) and personal API tokens for the
/// REST API, behind one policy scheme; everything needs a signed-in user unless marked anonymous.
/// </summary>
public static class SecurityServices
{
    private const string SmartScheme = "nas";

    public static WebApplicationBuilder AddNasSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<UploadSlots>();
        // Identity's stores want a context per scope; the platform otherwise uses the factory.
        services.AddScoped<NasDbContext>(sp => sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<NasDbContext>>().CreateDbContext());
        // Keys in the product's database: sessions survive restarts and work across several web hosts.
        services.AddDataProtection().SetApplicationName("NasPlatform").PersistKeysToDbContext<NasDbContext>();
        services.AddIdentityCore<PlatformUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                // Length over character classes (NIST SP 800-63B).
                o.Password.RequiredLength = 8;
                o.Password.RequireDigit = o.Password.RequireLowercase = o.Password.RequireUppercase = o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddEntityFrameworkStores<NasDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<NasClaimsPrincipalFactory>();
        // Read when first needed, like every platform setting, so hosts and tests can still override the configuration.
        services.AddOptions<IdentityOptions>().Configure<Microsoft.Extensions.Options.IOptions<PlatformOptions>>((o, p) =>
        {
            o.Lockout.MaxFailedAccessAttempts = p.Value.Accounts.LockoutAttempts;
            o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(p.Value.Accounts.LockoutMinutes);
        });

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = SmartScheme;
                o.DefaultChallengeScheme = SmartScheme;
                o.DefaultForbidScheme = SmartScheme;
            })
            .AddPolicyScheme(SmartScheme, "API token or cookie", o => o.ForwardDefaultSelector = http =>
                ApiTokenAuthenticationHandler.Presents(http) ? ApiTokenAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "nas.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.LoginPath = "/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/denied";
            o.ExpireTimeSpan = TimeSpan.FromDays(7);
            o.SlidingExpiration = true;
            // Programs get problems, not a redirect to an HTML log-in page. The events object is Identity's own
            // (it re-checks the security stamp), so only these two handlers are replaced.
            o.Events.OnRedirectToLogin = c => IsMachineRequest(c.Request) ? SecurityProblems.WriteAsync(c.HttpContext, 401,
                "Sign in, or send a personal API token as 'Authorization: Bearer <token>'.") : Redirect(c);
            o.Events.OnRedirectToAccessDenied = c => IsMachineRequest(c.Request) ? SecurityProblems.WriteAsync(c.HttpContext, 403,
                SecurityProblems.ForbiddenDetail(c.HttpContext.User)) : Redirect(c);
        });
        // A disabled account or a changed password ends browser sessions within a minute (the setting), not Identity's default 30.
        services.AddOptions<SecurityStampValidatorOptions>().Configure<Microsoft.Extensions.Options.IOptions<PlatformOptions>>((o, p) =>
            o.ValidationInterval = TimeSpan.FromSeconds(p.Value.Accounts.SessionRevalidationSeconds));
        // Secure over https (directly or through a trusted proxy); the framework's default never marks it.
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(PlatformClaims.CanWritePolicy, p => p.RequireAuthenticatedUser().RequireClaim(PlatformClaims.Scope, PlatformClaims.Write))
            .AddPolicy(PlatformClaims.AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole(PlatformClaims.AdminRole));
        services.AddCascadingAuthenticationState();
        services.AddScoped<CurrentUser>();
        services.AddScoped<OwnerNames>();
        services.AddHostedService<FirstRunSetup>();
        return builder;
    }

    /// <summary>The REST API and the hub: where tokens are accepted and problems answer instead of redirects.</summary>
    public static bool IsMachineRequest(HttpRequest r) => r.Path.StartsWithSegments("/api/v1") || r.Path.StartsWithSegments("/hubs");

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> c)
    {
        c.Response.Redirect(c.RedirectUri);
        return Task.CompletedTask;
    }
}
