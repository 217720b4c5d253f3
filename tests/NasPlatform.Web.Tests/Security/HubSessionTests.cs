using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using NasPlatform.Platform.Accounts;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Security;

/// <summary>A platform whose token-authenticated hub connections last two seconds.</summary>
public sealed class ShortHubSessionFactory : PlatformFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("NasPlatform:Accounts:HubSessionSeconds", "2");
    }
}

public sealed class HubSessionTests(ShortHubSessionFactory factory) : IClassFixture<ShortHubSessionFactory>
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
}
