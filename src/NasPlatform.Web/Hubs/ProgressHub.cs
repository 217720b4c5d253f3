using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using NasPlatform.Data;
using NasPlatform.Platform.Accounts;
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
/// Live progress for API clients (authenticated like the API: cookie, or the token as a Bearer
/// header or access_token). A client receives the status changes of its own datasets and searches
/// (administrators: everyone's) and, after WatchSearch(id), that search's trial and epoch messages.
/// </summary>
public sealed class ProgressHub(IDbContextFactory<NasDbContext> dbf) : Hub<IProgressClient>
{
    public const string Route = "/hubs/progress";
    public const string AdminsGroup = "admins";

    public static string SearchGroup(Guid id) => $"search-{id:N}";

    public static string UserGroup(Guid id) => $"user-{id:N}";

    public override async Task OnConnectedAsync()
    {
        var caller = Caller.Of(Context.User!);
        await Groups.AddToGroupAsync(Context.ConnectionId, UserGroup(caller.UserId));
        if (caller.IsAdmin) await Groups.AddToGroupAsync(Context.ConnectionId, AdminsGroup);
        await base.OnConnectedAsync();
    }

    /// <exception cref="HubException">The caller has no such search (someone else's looks missing too).</exception>
    public async Task WatchSearch(Guid searchId)
    {
        await using var db = await dbf.CreateDbContextAsync(Context.ConnectionAborted);
        if (!await db.Searches.VisibleTo(Caller.Of(Context.User!)).AnyAsync(s => s.Id == searchId, Context.ConnectionAborted))
            throw new HubException($"Search {searchId} does not exist.");
        await Groups.AddToGroupAsync(Context.ConnectionId, SearchGroup(searchId));
    }

    public Task UnwatchSearch(Guid searchId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, SearchGroup(searchId));
}

/// <summary>Forwards everything reported on the in-process bus to the clients allowed to see it.</summary>
public sealed class HubForwarder(ProgressBus bus, IHubContext<ProgressHub, IProgressClient> hub, OwnerLookup owners) : IHostedService
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

    private async Task OnDataset(DatasetUpdate u)
    {
        if (await owners.OfDatasetAsync(u.DatasetId) is { } owner) await OwnerAndAdmins(owner).DatasetChanged(u);
    }

    private async Task OnSearch(SearchUpdate u)
    {
        if (await owners.OfSearchAsync(u.SearchId) is { } owner) await OwnerAndAdmins(owner).SearchChanged(u);
    }

    private IProgressClient OwnerAndAdmins(Guid owner) => hub.Clients.Groups(ProgressHub.UserGroup(owner), ProgressHub.AdminsGroup);

    // Only connections whose WatchSearch passed the ownership check are in a search's group.
    private Task OnTrial(TrialUpdate u) => hub.Clients.Group(ProgressHub.SearchGroup(u.SearchId)).TrialChanged(u);
    private Task OnEpoch(EpochUpdate u) => hub.Clients.Group(ProgressHub.SearchGroup(u.SearchId)).EpochFinished(u);
}
