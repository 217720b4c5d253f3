using Microsoft.AspNetCore.SignalR;
using NasPlatform.Platform.Progress;

namespace NasPlatform.Web.Hubs;

/// <summary>The messages a connected client receives.</summary>
public interface IProgressClient
{
    Task DatasetChanged(DatasetUpdate update);
    Task SearchChanged(SearchUpdate update);
    Task TrialChanged(TrialUpdate update);
    Task EpochFinished(EpochUpdate update);
}

/// <summary>
/// Live progress for API clients: call WatchSearch(id) to receive that search's trial, epoch and
/// status messages; every client receives dataset status changes and every search's status.
/// </summary>
public sealed class ProgressHub : Hub<IProgressClient>
{
    public const string Route = "/hubs/progress";

    public static string SearchGroup(Guid id) => $"search-{id:N}";

    public Task WatchSearch(Guid searchId) => Groups.AddToGroupAsync(Context.ConnectionId, SearchGroup(searchId));

    public Task UnwatchSearch(Guid searchId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, SearchGroup(searchId));
}

/// <summary>Forwards everything reported on the in-process bus to the hub's clients.</summary>
public sealed class HubForwarder(ProgressBus bus, IHubContext<ProgressHub, IProgressClient> hub) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        bus.Dataset += OnDataset;
        bus.Search += OnSearch;
        bus.Trial += OnTrial;
        bus.Epoch += OnEpoch;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        bus.Dataset -= OnDataset;
        bus.Search -= OnSearch;
        bus.Trial -= OnTrial;
        bus.Epoch -= OnEpoch;
        return Task.CompletedTask;
    }

    private Task OnDataset(DatasetUpdate u) => hub.Clients.All.DatasetChanged(u);
    private Task OnSearch(SearchUpdate u) => hub.Clients.All.SearchChanged(u);
    private Task OnTrial(TrialUpdate u) => hub.Clients.Group(ProgressHub.SearchGroup(u.SearchId)).TrialChanged(u);
    private Task OnEpoch(EpochUpdate u) => hub.Clients.Group(ProgressHub.SearchGroup(u.SearchId)).EpochFinished(u);
}
