using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NasPlatform.Data;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.OneShot;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Jobs;
using NasPlatform.Platform.Storage;
using NasPlatform.Web.Tests.Toy;

namespace NasPlatform.Web.Tests.Infrastructure;

/// <summary>
/// The whole platform as `dotnet run` starts it — Kestrel on a real port (browsers and SignalR need
/// one), a SQLite file, Hangfire's SQLite storage and the in-process worker — in a temporary data
/// folder, with latency measurement shortened so trials take seconds. The tests add a space, an
/// objective and an estimator of their own (Toy/) the way any host would: one registration each.
/// </summary>
public class PlatformFactory : WebApplicationFactory<Program>
{
    public const long MaxUploadBytes = 4L << 20;

    public string DataPath { get; } = Path.Combine(Path.GetTempPath(), "nas-web-" + Guid.NewGuid().ToString("N"));

    /// <summary>The user the tests act as unless they say otherwise (not an administrator).</summary>
    public const string OwnerEmail = "owner@tests.local";
    public const string AdminEmail = "admin@tests.local";
    public const string Password = "correct horse battery";

    /// <summary>A read-write API token of <see cref="OwnerEmail"/>.</summary>
    public string OwnerToken { get; }

    public Guid OwnerId { get; }

    public PlatformFactory()
    {
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        StartServer();
        // The administrator comes from the configuration, created at start-up (the first-run path of a real install).
        if (Services.GetRequiredService<AccountService>().FindByEmailAsync(AdminEmail, CancellationToken.None).GetAwaiter().GetResult() is not { IsAdmin: true })
            throw new InvalidOperationException("The administrator named in the configuration was not created at start-up.");
        (OwnerId, OwnerToken) = CreateUserWithTokenAsync(OwnerEmail).GetAwaiter().GetResult();
    }

    /// <summary>A new account and one API token of it.</summary>
    public async Task<(Guid UserId, string Token)> CreateUserWithTokenAsync(string email, bool admin = false, bool readOnly = false)
    {
        var user = await Services.GetRequiredService<AccountService>().CreateUserAsync(email, Password, admin, CancellationToken.None);
        var token = await Services.GetRequiredService<ApiTokenService>().CreateAsync(user.Id, "tests", readOnly, null, CancellationToken.None);
        return (user.Id, token.Secret);
    }

    /// <summary>Another token of an existing account.</summary>
    public async Task<string> CreateTokenAsync(Guid userId, bool readOnly = false) =>
        (await Services.GetRequiredService<ApiTokenService>().CreateAsync(userId, "tests", readOnly, null, CancellationToken.None)).Secret;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ConfigureDatabase(builder);
        builder.UseSetting("NasPlatform:DataPath", DataPath);
        builder.UseSetting("NasPlatform:MaxUploadBytes", MaxUploadBytes.ToString());
        builder.UseSetting("NasPlatform:DefaultParallelism", "2");
        builder.UseSetting("NasPlatform:Worker:Threads", "1");
        builder.UseSetting("NasPlatform:Worker:LatencyWarmupRuns", "2");
        builder.UseSetting("NasPlatform:Worker:LatencyTimedRuns", "12");
        builder.UseSetting("NasPlatform:Worker:LatencyRounds", "3");
        builder.UseSetting("NasPlatform:Worker:HeartbeatSeconds", "1");
        // The watchdog sweeps every second and repairs what has been stuck for 5 (the defaults are 30 and 120).
        builder.UseSetting("NasPlatform:Worker:WatchdogSeconds", "1");
        builder.UseSetting("NasPlatform:Worker:StuckAfterSeconds", "5");
        builder.UseSetting("NasPlatform:Accounts:SessionRevalidationSeconds", "1");
        builder.UseSetting("NasPlatform:Webhooks:RetryBaseSeconds", "0.2");
        builder.UseSetting("NasPlatform:Webhooks:PollSeconds", "0.1");
        builder.UseSetting("NasPlatform:Webhooks:MaxAttempts", "4");
        builder.UseSetting("NasPlatform:Webhooks:TimeoutSeconds", "5");
        // Agents: short leases and polls, so a vanished agent's measurement is handed on within seconds.
        builder.UseSetting("NasPlatform:Agents:LeaseSeconds", "4");
        builder.UseSetting("NasPlatform:Agents:PollWaitSeconds", "2");
        builder.UseSetting("NasPlatform:Agents:OnlineSeconds", "10");
        builder.UseSetting("NasPlatform:Agents:WaitPollMilliseconds", "100");
        builder.UseSetting("NasPlatform:Agents:MeasureTimeoutSeconds", "180");
        builder.UseSetting("NasPlatform:Accounts:AdminEmail", AdminEmail);
        builder.UseSetting("NasPlatform:Accounts:AdminPassword", Password);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<ISearchSpaceDefinition, ToySpace>();
            services.AddSingleton<IObjectiveDefinition, ToyObjective>();
            services.AddSingleton<IEstimatorFactory, ToyEstimatorFactory>();
            services.AddSingleton<IOneShotMethod, ToyOneShot>();
            services.AddSingleton<HangfireJobScheduler>();
            services.AddSingleton<LosingJobScheduler>();
            services.AddSingleton<IJobScheduler>(sp => sp.GetRequiredService<LosingJobScheduler>());
        });
    }

    /// <summary>SQLite file in the data folder (the embedded default).</summary>
    protected virtual void ConfigureDatabase(IWebHostBuilder builder) => builder.UseSetting("NasPlatform:Database", "sqlite");

    public Uri BaseAddress
    {
        get
        {
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First());
        }
    }

    /// <summary>A client of the REST API acting as <see cref="OwnerEmail"/>.</summary>
    public HttpClient Api() => ApiAs(OwnerToken);

    /// <summary>A client sending this bearer token; null = anonymous.</summary>
    public HttpClient ApiAs(string? token)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public NasDbContext Db() => Services.GetRequiredService<IDbContextFactory<NasDbContext>>().CreateDbContext();

    public string BlobRoot => Path.Combine(DataPath, "blobs");

    /// <summary>The blob store the platform was configured with (a folder under <see cref="BlobRoot"/>, or S3).</summary>
    public IBlobStore Blobs => Services.GetRequiredService<IBlobStore>();

    public bool HasBlobs(string prefix) => Blobs.List(prefix).Any();
    public string TempRoot => Path.Combine(DataPath, "tmp");

    protected override void Dispose(bool disposing)
    {
        try
        {
            base.Dispose(disposing);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
        {
            // A job a test left running (a search it did not wait for) outlived the host's shutdown timeout while stopping;
            // the tests are over, and the process ends it. Not a failure of any test.
            Console.WriteLine($"Platform host stopped with a job still running: {e.Message}");
        }
        try { Directory.Delete(DataPath, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The platform tests on SQLite; browser tests run here only.</summary>
[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFactory>, ICollectionFixture<Browser.BrowserSession>
{
    public const string Name = "platform";
}
