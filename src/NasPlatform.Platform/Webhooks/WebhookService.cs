using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Searches;

namespace NasPlatform.Platform.Webhooks;

/// <summary>A registered webhook as its owner sees it; the secret only in the answer that created it.</summary>
public sealed record WebhookView(Guid Id, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt, string? Secret);

public sealed record DeliveryView(Guid Id, string Event, string EventKey, string Status, int Attempts, DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, int? LastStatusCode, string? LastError);

/// <summary>Registering, listing and removing webhooks, and the outbox of deliveries their events owe.</summary>
public sealed class WebhookService(IDbContextFactory<NasDbContext> dbf, IDataProtectionProvider protection, IOptions<PlatformOptions> options,
    TimeProvider time)
{
    private readonly IDataProtector _secrets = protection.CreateProtector("NasPlatform.Webhooks.Secret");

    /// <summary>Raised after deliveries were written, so the dispatcher sends them now instead of at its next poll.</summary>
    public event Action? DeliveriesRecorded;

    public async Task<WebhookView> CreateAsync(Caller caller, string? url, IEnumerable<string>? events, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || url!.Length > 2048)
            errors["url"] = ["url must be an absolute http or https URL of at most 2048 characters."];
        else if (!string.IsNullOrEmpty(uri.UserInfo))
            errors["url"] = ["url must not carry credentials; the signature authenticates deliveries."];
        var names = WebhookEvents.Normalize(events, out var eventError);
        if (eventError is not null) errors["events"] = [eventError];
        if (errors.Count > 0) throw new SearchValidationException(errors);

        await using var db = await dbf.CreateDbContextAsync(ct);
        if (await db.Webhooks.CountAsync(w => w.OwnerId == caller.UserId, ct) >= options.Value.Webhooks.MaxPerUser)
            throw new Datasets.PlatformException($"You already have {options.Value.Webhooks.MaxPerUser} webhooks; delete one first.", 409);
        var secret = WebhookSignature.NewSecret();
        var hook = new Webhook
        {
            Id = Guid.NewGuid(), OwnerId = caller.UserId, Url = uri!.AbsoluteUri, Events = string.Join(' ', names),
            SealedSecret = _secrets.Protect(secret), CreatedAt = time.GetUtcNow(),
        };
        db.Webhooks.Add(hook);
        await db.SaveChangesAsync(ct);
        return View(hook, secret);
    }

    public async Task<List<WebhookView>> ListAsync(Caller caller, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var rows = await db.Webhooks.AsNoTracking().VisibleTo(caller).ToListAsync(ct);
        return rows.OrderByDescending(w => w.CreatedAt).Select(w => View(w, null)).ToList();
    }

    public async Task<bool> DeleteAsync(Caller caller, Guid id, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var hook = await db.Webhooks.VisibleTo(caller).FirstOrDefaultAsync(w => w.Id == id, ct);
        if (hook is null) return false;
        db.Webhooks.Remove(hook);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>The newest deliveries of one webhook (null when the caller cannot see it).</summary>
    public async Task<List<DeliveryView>?> DeliveriesAsync(Caller caller, Guid id, int limit, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        if (!await db.Webhooks.VisibleTo(caller).AnyAsync(w => w.Id == id, ct)) return null;
        var rows = await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == id).OrderByDescending(d => d.CreatedAt).Take(limit).ToListAsync(ct);
        return rows.Select(d => new DeliveryView(d.Id, d.Event, d.EventKey, d.Status.ToString().ToLowerInvariant(), d.Attempts, d.CreatedAt,
            d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.DeliveredAt, d.LastStatusCode, d.LastError)).ToList();
    }

    /// <summary>The owner's webhooks that asked for <paramref name="eventName"/> (usually none: one query, nothing else to do).</summary>
    public async Task<List<Guid>> SubscribersAsync(Guid ownerId, string eventName, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var hooks = await db.Webhooks.AsNoTracking().Where(w => w.OwnerId == ownerId).Select(w => new { w.Id, w.Events }).ToListAsync(ct);
        return hooks.Where(w => WebhookEvents.Parse(w.Events).Contains(eventName)).Select(w => w.Id).ToList();
    }

    /// <summary>
    /// Owes <paramref name="eventName"/> to each of the owner's webhooks that asked for it, once per
    /// <paramref name="eventKey"/> even when several hosts hear the same event (the unique index decides).
    /// </summary>
    public async Task<int> RecordAsync(Guid ownerId, string eventName, string eventKey, Func<Guid, string> payload, CancellationToken ct) =>
        await RecordAsync(await SubscribersAsync(ownerId, eventName, ct), eventName, eventKey, payload, ct);

    /// <summary>Owes the event to these webhooks (from <see cref="SubscribersAsync"/>).</summary>
    public async Task<int> RecordAsync(IReadOnlyList<Guid> webhookIds, string eventName, string eventKey, Func<Guid, string> payload, CancellationToken ct)
    {
        if (webhookIds.Count == 0) return 0;
        await using var db = await dbf.CreateDbContextAsync(ct);
        int recorded = 0;
        foreach (var hookId in webhookIds)
        {
            if (await db.WebhookDeliveries.AnyAsync(d => d.WebhookId == hookId && d.EventKey == eventKey, ct)) continue;
            var now = time.GetUtcNow();
            var id = Guid.NewGuid();
            var delivery = new WebhookDelivery
            {
                Id = id, WebhookId = hookId, Event = eventName, EventKey = eventKey, Payload = payload(id), Status = DeliveryStatus.Pending,
                CreatedAt = now, NextAttemptAt = now,
            };
            db.WebhookDeliveries.Add(delivery);
            try
            {
                await db.SaveChangesAsync(ct);
                recorded++;
            }
            catch (DbUpdateException)
            {
                // Another host recorded it between the check and the insert.
                db.Entry(delivery).State = EntityState.Detached;
            }
        }
        if (recorded > 0) DeliveriesRecorded?.Invoke();
        return recorded;
    }

    internal string Unseal(string sealedSecret) => _secrets.Unprotect(sealedSecret);

    private static WebhookView View(Webhook w, string? secret) => new(w.Id, w.Url, WebhookEvents.Parse(w.Events), w.CreatedAt, secret);
}
