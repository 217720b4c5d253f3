using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Configuration;

namespace NasPlatform.Platform.Webhooks;

/// <summary>
/// Sends due deliveries: a 2xx answer delivers; anything else (an error status, a refused
/// connection, a timeout) is retried after RetryBaseSeconds x 2^(tries-1), up to RetryMaxSeconds,
/// until MaxAttempts tries have failed. A delivery is claimed before it is sent (its next attempt
/// moved past the timeout by a conditional update), so several web hosts never send it twice at once.
/// </summary>
public sealed class WebhookDispatcher(IDbContextFactory<NasDbContext> dbf, WebhookService webhooks, IHttpClientFactory http,
    IOptions<PlatformOptions> options, TimeProvider time, ILogger<WebhookDispatcher> log) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    private const int Batch = 20;
    private readonly SemaphoreSlim _wake = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        webhooks.DeliveriesRecorded += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                int sent = 0;
                try { sent = await SendDueAsync(stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning(e, "Webhook deliveries could not be read; trying again"); }
                if (sent < Batch) await _wake.WaitAsync(TimeSpan.FromSeconds(options.Value.Webhooks.PollSeconds), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally { webhooks.DeliveriesRecorded -= Wake; }
    }

    private void Wake() => _wake.Release();

    /// <summary>One pass over the due deliveries; the number it tried.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var settings = options.Value.Webhooks;
        var now = time.GetUtcNow();
        await using var db = await dbf.CreateDbContextAsync(ct);
        var due = await db.WebhookDeliveries.AsNoTracking().Include(d => d.Webhook)
            .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now)
            .OrderBy(d => d.NextAttemptAt).Take(Batch).ToListAsync(ct);
        foreach (var delivery in due)
        {
            var lease = now.AddSeconds(settings.TimeoutSeconds * 2 + 5);
            var previous = delivery.NextAttemptAt;
            int claimed = await db.WebhookDeliveries.Where(d => d.Id == delivery.Id && d.Status == DeliveryStatus.Pending && d.NextAttemptAt == previous)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, lease), ct);
            if (claimed == 0) continue;
            var (code, error) = await SendAsync(delivery, settings, ct);
            int attempts = delivery.Attempts + 1;
            var at = time.GetUtcNow();
            bool ok = error is null;
            var status = ok ? DeliveryStatus.Delivered : attempts >= settings.MaxAttempts ? DeliveryStatus.Failed : DeliveryStatus.Pending;
            var next = ok ? at : at.AddSeconds(Math.Min(settings.RetryMaxSeconds, settings.RetryBaseSeconds * Math.Pow(2, attempts - 1)));
            await db.WebhookDeliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Attempts, attempts).SetProperty(d => d.Status, status).SetProperty(d => d.NextAttemptAt, next)
                .SetProperty(d => d.DeliveredAt, ok ? at : (DateTimeOffset?)null).SetProperty(d => d.LastStatusCode, code).SetProperty(d => d.LastError, error), ct);
            if (status == DeliveryStatus.Failed)
                log.LogWarning("Webhook delivery {Delivery} ({Event}) to {Url} failed after {Attempts} tries: {Error}", delivery.Id, delivery.Event,
                    delivery.Webhook?.Url, attempts, error);
        }
        return due.Count;
    }

    private async Task<(int? Code, string? Error)> SendAsync(WebhookDelivery delivery, WebhookOptions settings, CancellationToken ct)
    {
        if (delivery.Webhook is null) return (null, "The webhook was deleted.");
        try
        {
            var secret = webhooks.Unseal(delivery.Webhook.SealedSecret);
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Webhook.Url)
            {
                Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(secret, time.GetUtcNow().ToUnixTimeSeconds(), delivery.Payload));
            request.Headers.Add(WebhookSignature.EventHeader, delivery.Event);
            request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString());
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(settings.TimeoutSeconds));
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            int code = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (code, null) : (code, $"The receiver answered {code} {response.ReasonPhrase}.");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"No answer within {settings.TimeoutSeconds} s.");
        }
        catch (HttpRequestException e)
        {
            return (null, Truncate(e.Message));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return (null, "The webhook's secret cannot be unsealed with this host's data-protection keys.");
        }
    }

    private static string Truncate(string s) => s.Length <= 1000 ? s : s[..1000];
}
