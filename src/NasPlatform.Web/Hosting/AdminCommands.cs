using Microsoft.EntityFrameworkCore;
using NasPlatform.Data;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Datasets;
using NasPlatform.Web.Security;

namespace NasPlatform.Web.Hosting;

/// <summary>
/// Administration from the shell, for first setup and automation: the web host's executable with a
/// command instead of serving. Results a script needs (a token) are the only thing on stdout;
/// messages and logs go to stderr.
/// </summary>
public static class AdminCommands
{
    public const string Usage = """
        Usage (after `dotnet run --project src/NasPlatform.Web --`, or the published NasPlatform.Web):
          users create --email E (--password P | --password-stdin) [--admin]
          users list
          users disable --email E      (its tokens stop at once, its sessions within a minute)
          users enable --email E
          tokens create --email E --name N [--read-only] [--expires-days D]   prints the token on stdout, nothing else
          tokens list --email E
          tokens revoke --email E --id TOKEN-ID
        The database is the one the web host uses (appsettings.json, NasPlatform__* environment variables).
        """;

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "users" or "tokens";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        Options opts;
        try
        {
            opts = Options.Parse(args.Skip(2));
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync(e.Message + Environment.NewLine + Usage);
            return 2;
        }
        string command = args.Length > 1 ? $"{args[0]} {args[1]}" : args[0];

        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddTopLevelSettings();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddNasPlatformCore();
        builder.AddNasSecurity();
        await using var app = builder.Build();
        var ct = CancellationToken.None;
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<NasDbContext>>().CreateDbContextAsync(ct))
            await db.Database.MigrateAsync(ct);
        var accounts = app.Services.GetRequiredService<AccountService>();
        var tokens = app.Services.GetRequiredService<ApiTokenService>();
        try
        {
            switch (command)
            {
                case "users create":
                {
                    string password = opts.PasswordFromStdin ? (await stdin.ReadLineAsync() ?? "") : opts.Require("password");
                    var user = await accounts.CreateUserAsync(opts.Require("email"), password, opts.Has("admin"), ct);
                    await stderr.WriteLineAsync($"Created {(user.IsAdmin ? "administrator" : "user")} {user.Email} ({user.Id}).");
                    return 0;
                }
                case "users list":
                    foreach (var u in await accounts.ListAsync(ct))
                        await stdout.WriteLineAsync($"{u.Id}\t{u.Email}\t{(u.IsAdmin ? "admin" : "user")}\t{(u.IsDisabled ? "disabled" : "active")}");
                    return 0;
                case "users disable" or "users enable":
                {
                    var user = await FindUserAsync(accounts, opts.Require("email"), ct);
                    await accounts.SetDisabledAsync(user.Id, command == "users disable", by: null, ct);
                    await stderr.WriteLineAsync($"{(command == "users disable" ? "Disabled" : "Enabled")} {user.Email}.");
                    return 0;
                }
                case "tokens revoke":
                {
                    var user = await FindUserAsync(accounts, opts.Require("email"), ct);
                    if (!Guid.TryParse(opts.Require("id"), out var tokenId)) throw new ArgumentException("--id is a token id (see tokens list).");
                    if (!await tokens.RevokeAsync(user.Id, tokenId, ct)) throw new PlatformException($"{user.Email} has no token {tokenId}.");
                    await stderr.WriteLineAsync($"Revoked token {tokenId} of {user.Email}.");
                    return 0;
                }
                case "tokens create":
                {
                    var user = await FindUserAsync(accounts, opts.Require("email"), ct);
                    DateTimeOffset? expires = opts.Get("expires-days") is { } d
                        ? DateTimeOffset.UtcNow.AddDays(int.TryParse(d, out int days) && days > 0 ? days : throw new ArgumentException("--expires-days is a positive number of days."))
                        : null;
                    var created = await tokens.CreateAsync(user.Id, opts.Require("name"), opts.Has("read-only"), expires, ct);
                    await stdout.WriteLineAsync(created.Secret);
                    await stderr.WriteLineAsync($"Created {(created.Token.ReadOnly ? "read-only" : "read-write")} token '{created.Token.Name}' for {user.Email}.");
                    return 0;
                }
                case "tokens list":
                {
                    var user = await FindUserAsync(accounts, opts.Require("email"), ct);
                    foreach (var t in await tokens.ListAsync(user.Id, ct))
                        await stdout.WriteLineAsync($"{t.Id}\t{t.Name}\t{t.Prefix}…\t{(t.ReadOnly ? "read-only" : "read-write")}\t" +
                                                    $"{(t.RevokedAt is null ? "active" : "revoked")}\tcreated {t.CreatedAt:u}\tlast used {t.LastUsedAt?.ToString("u") ?? "never"}");
                    return 0;
                }
                default:
                    await stderr.WriteLineAsync($"Unknown command '{command}'.{Environment.NewLine}{Usage}");
                    return 2;
            }
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync(e.Message + Environment.NewLine + Usage);
            return 2;
        }
        catch (PlatformException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message);
            return 1;
        }
    }

    private static async Task<NasPlatform.Data.Entities.PlatformUser> FindUserAsync(AccountService accounts, string email, CancellationToken ct) =>
        await accounts.FindByEmailAsync(email, ct) ?? throw new PlatformException($"No account for {email}; create it with `users create`.");

    private sealed class Options
    {
        private readonly Dictionary<string, string?> _values = new();

        public bool PasswordFromStdin => Has("password-stdin");

        public static Options Parse(IEnumerable<string> args)
        {
            var o = new Options();
            var list = args.ToList();
            for (int i = 0; i < list.Count; i++)
            {
                if (!list[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{list[i]}'.");
                string name = list[i][2..];
                bool flag = name is "admin" or "read-only" or "password-stdin";
                if (flag) o._values[name] = null;
                else if (i + 1 < list.Count) o._values[name] = list[++i];
                else throw new ArgumentException($"--{name} needs a value.");
            }
            return o;
        }

        public bool Has(string name) => _values.ContainsKey(name);

        public string? Get(string name) => _values.GetValueOrDefault(name);

        public string Require(string name) => Get(name) is { Length: > 0 } v ? v : throw new ArgumentException($"--{name} is required.");
    }
}
