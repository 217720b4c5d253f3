using Microsoft.Extensions.Options;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Configuration;

namespace NasPlatform.Web.Security;

/// <summary>
/// Creates the administrator named in the configuration (NasPlatform:Accounts:AdminEmail/AdminPassword)
/// on the first start; without it, the /setup page asks while no account exists.
/// </summary>
public sealed class FirstRunSetup(AccountService accounts, IOptions<PlatformOptions> options, ILogger<FirstRunSetup> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var o = options.Value.Accounts;
        if (await accounts.AnyUserAsync(ct)) return;
        if (string.IsNullOrWhiteSpace(o.AdminEmail) || string.IsNullOrEmpty(o.AdminPassword))
        {
            log.LogWarning("No account exists yet: open /setup to create the administrator, or set NasPlatform__Accounts__AdminEmail and NasPlatform__Accounts__AdminPassword.");
            return;
        }
        var admin = await accounts.CreateFirstAdministratorAsync(o.AdminEmail, o.AdminPassword, ct);
        log.LogInformation("Created the administrator {Email} from the configuration.", admin.Email);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
