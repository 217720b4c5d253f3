using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using NasPlatform.Platform.Accounts;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Security;

/// <summary>A platform with the non-default account settings: open registration, two-second hub sessions for tokens.</summary>
public sealed class OpenPlatformFactory : PlatformFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("NasPlatform:Accounts:HubSessionSeconds", "2");
        builder.UseSetting("NasPlatform:Accounts:OpenRegistration", "true");
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
}
