using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Progress;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Api;

/// <summary>A standalone worker's events (NOTIFY on PostgreSQL) reach the web host's SignalR clients.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CrossProcessProgressTests(PostgresPlatformFactory factory)
{
    [Fact]
    public async Task WorkerNotification_ReachesHubClientsWatchingTheSearch()
    {
        var searchId = (await factory.FinishedSearchAsync(factory.OwnerId)).SearchId;
        var received = new TaskCompletionSource<TrialUpdate>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hub = factory.Hub(factory.OwnerToken);
        hub.On<TrialUpdate>("TrialChanged", u => received.TrySetResult(u));
        await hub.StartAsync();
        await hub.InvokeAsync("WatchSearch", searchId);

        // What a worker process does: its own sink, its own connection, nothing shared with the web host.
        var options = factory.Services.GetRequiredService<IOptions<PlatformOptions>>();
        var workerSink = new PostgresProgressSink(options, NullLogger<PostgresProgressSink>.Instance);
        var sent = new TrialUpdate(searchId, Guid.NewGuid(), 4, "succeeded", 0.81, 3.2, 0.79, 1000, 2000, "other-host:42", false, null);
        // The listener may still be connecting right after start-up: announce until it is heard.
        for (int i = 0; i < 50 && !received.Task.IsCompleted; i++)
        {
            await workerSink.TrialChanged(sent);
            await Task.WhenAny(received.Task, Task.Delay(200));
        }
        Assert.Equal(sent, await received.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
