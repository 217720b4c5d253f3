namespace NasPlatform.Data.Entities;

/// <summary>
/// A URL a user wants told about their searches' events. The signing secret is kept sealed by the
/// platform's data-protection keys (it must be readable to sign, unlike a token's hash).
/// </summary>
public sealed class Webhook : IOwned
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public required string Url { get; set; }

    /// <summary>Space-separated event names (see Platform's Webhooks.WebhookEvents).</summary>
    public required string Events { get; set; }
    public required string SealedSecret { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public enum DeliveryStatus { Pending, Delivered, Failed }

/// <summary>
/// One event owed to one webhook. Rows are the outbox: written when the event happens, sent and
/// retried by the dispatcher, kept with their outcome so the user can see what was delivered.
/// </summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }
    public Guid WebhookId { get; set; }
    public Webhook? Webhook { get; set; }

    /// <summary>search.started, trial.finished, search.succeeded, search.failed, search.cancelled.</summary>
    public required string Event { get; set; }

    /// <summary>What the event is about (event and subject), unique per webhook so that several web hosts hearing one event owe it once.</summary>
    public required string EventKey { get; set; }
    public required string Payload { get; set; }
    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
}
