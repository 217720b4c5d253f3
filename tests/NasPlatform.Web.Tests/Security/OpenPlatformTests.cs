using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using NasPlatform.Platform.Accounts;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Security;

/// <summary>A platform with non-default settings: open registration, two-second hub sessions for tokens, behind a TLS proxy.</summary>
public sealed class OpenPlatformFactory : PlatformFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("NasPlatform:Accounts:HubSessionSeconds", "2");
        builder.UseSetting("NasPlatform:Accounts:OpenRegistration", "true");
        builder.UseSetting("NasPlatform:BehindProxy", "true");
    }
}

public sealed class OpenPlatformTests(OpenPlatformFactory factory) : IClassFixture<OpenPlatformFactory>
{
    [Fact]
    public async Task TokenConnections_CloseWhenTheirSessionEnds_AndARevokedTokenCannotReconnect()
    {
        var (userId, token) = await factory.CreateUserWithTokenAsync($"hub-session-{Guid.NewGuid():N}@tests.local");
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hub = factory.Hub(token);
        hub.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        await hub.StartAsync();
        Assert.Equal(HubConnectionState.Connected, hub.State);

        var tokens = factory.Services.GetRequiredService<ApiTokenService>();
        var row = Assert.Single(await tokens.ListAsync(userId, CancellationToken.None));
        await tokens.RevokeAsync(userId, row.Id, CancellationToken.None);

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HubConnectionState.Disconnected, hub.State);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => hub.StartAsync());
    }

    [Fact]
    public async Task OpenRegistration_CreatesAnOrdinaryAccount_AndSignsItIn()
    {
        using var client = AccountForms.Browserish(factory.BaseAddress);
        string email = $"self-{Guid.NewGuid():N}@tests.local";
        Task<HttpResponseMessage> RegisterAsync(string password, string confirm) => AccountForms.PostAsync(client, "/register", "/account/register",
            new() { ["Email"] = email, ["Password"] = password, ["ConfirmPassword"] = confirm });

        var mismatch = await RegisterAsync("long enough password", "another password");
        Assert.StartsWith("/register?error=", mismatch.Headers.Location!.OriginalString);
        Assert.Contains("The passwords differ.", await client.GetStringAsync(mismatch.Headers.Location!.OriginalString));

        var created = await RegisterAsync("long enough password", "long enough password");
        Assert.Equal("/", created.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/datasets")).StatusCode); // signed in
        await using var db = factory.Db();
        Assert.False(db.Users.Single(u => u.Email == email).IsAdmin);
    }

    [Fact]
    public async Task BehindATlsProxy_SessionCookiesAreSecure_AndHstsIsSent()
    {
        // What the proxy forwards: https on the outside, a public host name.
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = factory.BaseAddress };
        HttpRequestMessage Request(HttpMethod method, string path)
        {
            var request = new HttpRequestMessage(method, path);
            request.Headers.Host = "nas.example.com";
            request.Headers.Add("X-Forwarded-Proto", "https");
            return request;
        }
        var page = await client.SendAsync(Request(HttpMethod.Get, "/login"));
        Assert.True(page.Headers.Contains("Strict-Transport-Security"));
        var antiforgeryCookie = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery"));
        Assert.Contains("secure", antiforgeryCookie, StringComparison.OrdinalIgnoreCase);

        var post = Request(HttpMethod.Post, "/account/login");
        post.Headers.Add("Cookie", antiforgeryCookie.Split(';')[0]);
        post.Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AccountForms.TokenIn(await page.Content.ReadAsStringAsync()),
            ["Email"] = PlatformFactory.OwnerEmail, ["Password"] = PlatformFactory.Password, ["ReturnUrl"] = "/",
        });
        var login = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var session = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("nas.auth="));
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
    }
}
