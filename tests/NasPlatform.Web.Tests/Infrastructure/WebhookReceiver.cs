using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NasPlatform.Platform.Webhooks;

namespace NasPlatform.Web.Tests.Infrastructure;

/// <summary>
/// A real HTTP endpoint on loopback that records what webhooks send; <paramref name="answer"/> gives
/// the status for the n-th try (1-based) of a delivery.
/// </summary>
public sealed class WebhookReceiver(Func<int, int> answer) : IAsyncDisposable
{
    public sealed record Received(string Event, string DeliveryId, string Signature, string Body, int Try, DateTimeOffset At, int Answered);

    private readonly List<Received> _received = [];
    private WebApplication? _app;

    public string Url { get; private set; } = "";

    public IReadOnlyList<Received> All
    {
        get { lock (_received) return [.. _received]; }
    }

    public static async Task<WebhookReceiver> StartAsync(Func<int, int> answer)
    {
        var receiver = new WebhookReceiver(answer);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/hook", receiver.Handle);
        await app.StartAsync();
        receiver._app = app;
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";
        return receiver;
    }

    private async Task<IResult> Handle(HttpRequest request)
    {
        var body = await new StreamReader(request.Body).ReadToEndAsync();
        string delivery = request.Headers[WebhookSignature.DeliveryHeader].ToString();
        int status;
        lock (_received)
        {
            int attempt = _received.Count(r => r.DeliveryId == delivery) + 1;
            status = answer(attempt);
            _received.Add(new Received(request.Headers[WebhookSignature.EventHeader].ToString(), delivery,
                request.Headers[WebhookSignature.Header].ToString(), body, attempt, DateTimeOffset.UtcNow, status));
        }
        return Results.StatusCode(status);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
