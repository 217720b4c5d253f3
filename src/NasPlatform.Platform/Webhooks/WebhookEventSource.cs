using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NasPlatform.Data;
using NasPlatform.Platform.Progress;

namespace NasPlatform.Platform.Webhooks;

/// <summary>
/// Turns the progress this host hears (its own jobs, and on PostgreSQL every worker's) into owed
/// deliveries. Progress handlers run on the reporting job's path, so updates are only queued there
/// and written to the outbox here. A search repeats its status with every finished trial, so an
/// event already handled is skipped without a query, and the owner comes from the shared lookup.
/// </summary>
public sealed class WebhookEventSource(ProgressBus bus, WebhookService webhooks, OwnerLookup owners, IDbContextFactory<NasDbContext> dbf,
    TimeProvider time, ILogger<WebhookEventSource> log) : BackgroundService
{
    private const int MaxRemembered = 100_000;
    private readonly HashSet<string> _handled = [];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Channel<object> _updates = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        bus.Search += OnSearch;
        bus.Trial += OnTrial;
        try
        {
            await foreach (var update in _updates.Reader.ReadAllAsync(stoppingToken))
            {
                try { await RecordAsync(update, stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "A webhook event could not be recorded"); }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            bus.Search -= OnSearch;
            bus.Trial -= OnTrial;
        }
    }

    private Task OnSearch(SearchUpdate update)
    {
        _updates.Writer.TryWrite(update);
        return Task.CompletedTask;
    }

    private Task OnTrial(TrialUpdate update)
    {
        _updates.Writer.TryWrite(update);
        return Task.CompletedTask;
    }

    private async Task RecordAsync(object update, CancellationToken ct)
    {
        var (searchId, name, key) = update switch
        {
            SearchUpdate s => (s.SearchId, SearchEvent(s.Status), $"{SearchEvent(s.Status)}:{s.SearchId}"),
            TrialUpdate t when t.Status is "succeeded" or "failed" => (t.SearchId, WebhookEvents.TrialFinished, $"{WebhookEvents.TrialFinished}:{t.TrialId}"),
            _ => (Guid.Empty, null, ""),
        };
        if (name is null || _handled.Contains(key)) return;
        if (await owners.OfSearchAsync(searchId) is not { } owner) return;
        var subscribers = await webhooks.SubscribersAsync(owner, name, ct);
        if (subscribers.Count > 0)
        {
            await using var db = await dbf.CreateDbContextAsync(ct);
            var searchName = await db.Searches.AsNoTracking().Where(s => s.Id == searchId).Select(s => s.Name).FirstOrDefaultAsync(ct);
            var occurredAt = time.GetUtcNow();
            await webhooks.RecordAsync(subscribers, name, key, deliveryId => JsonSerializer.Serialize(new
            {
                id = deliveryId, @event = name, occurredAt, searchName,
                search = update as SearchUpdate, trial = update as TrialUpdate,
            }, Json), ct);
        }
        if (_handled.Count >= MaxRemembered) _handled.Clear();
        _handled.Add(key);
    }

    private static string? SearchEvent(string status) => status switch
    {
        "running" => WebhookEvents.SearchStarted,
        "succeeded" => WebhookEvents.SearchSucceeded,
        "failed" => WebhookEvents.SearchFailed,
        "cancelled" => WebhookEvents.SearchCancelled,
        _ => null,
    };
}
