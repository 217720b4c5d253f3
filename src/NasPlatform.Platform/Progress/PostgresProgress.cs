using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NasPlatform.Platform.Configuration;
using Npgsql;

namespace NasPlatform.Platform.Progress;

/// <summary>
/// Progress across processes on PostgreSQL: a standalone worker, having stored each event in the
/// database, announces it with NOTIFY; the web host LISTENs and hands it to its bus, from which the
/// hub and the pages take it. (NOTIFY payloads are small: these messages are a few hundred bytes.)
/// </summary>
public static class PostgresProgress
{
    public const string Channel = "nasplatform_progress";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal sealed record Envelope(string Kind, JsonElement Body);
}

/// <summary>The worker side: every event becomes one NOTIFY on <see cref="PostgresProgress.Channel"/>.</summary>
public sealed class PostgresProgressSink(IOptions<PlatformOptions> options, ILogger<PostgresProgressSink> log) : IProgressSink
{
    public Task DatasetChanged(DatasetUpdate update) => Notify("dataset", update);
    public Task SearchChanged(SearchUpdate update) => Notify("search", update);
    public Task TrialChanged(TrialUpdate update) => Notify("trial", update);
    public Task EpochFinished(EpochUpdate update) => Notify("epoch", update);

    private async Task Notify<T>(string kind, T update)
    {
        try
        {
            var payload = JsonSerializer.Serialize(new { kind, body = update }, PostgresProgress.Json);
            await using var connection = new NpgsqlConnection(options.Value.ResolvedConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
            command.Parameters.AddWithValue("channel", PostgresProgress.Channel);
            command.Parameters.AddWithValue("payload", payload);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // The event is in the database already; a lost notification only delays the page.
            log.LogWarning(e, "Could not announce a {Kind} event", kind);
        }
    }
}

/// <summary>The web host side: LISTENs for workers' events and raises them on the in-process bus; reconnects when the connection drops.</summary>
public sealed class PostgresProgressListener(IOptions<PlatformOptions> options, ProgressBus bus, ILogger<PostgresProgressListener> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.UsesPostgres) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(options.Value.ResolvedConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => _ = Dispatch(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresProgress.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Progress listener lost its connection; retrying");
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task Dispatch(string payload)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<PostgresProgress.Envelope>(payload, PostgresProgress.Json);
            if (envelope is null) return;
            var body = envelope.Body;
            switch (envelope.Kind)
            {
                case "dataset": await bus.DatasetChanged(body.Deserialize<DatasetUpdate>(PostgresProgress.Json)!); break;
                case "search": await bus.SearchChanged(body.Deserialize<SearchUpdate>(PostgresProgress.Json)!); break;
                case "trial": await bus.TrialChanged(body.Deserialize<TrialUpdate>(PostgresProgress.Json)!); break;
                case "epoch": await bus.EpochFinished(body.Deserialize<EpochUpdate>(PostgresProgress.Json)!); break;
            }
        }
        catch (JsonException e)
        {
            log.LogWarning(e, "Ignored a malformed progress notification");
        }
    }
}
