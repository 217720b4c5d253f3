using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NasPlatform.Platform.Webhooks;
using NasPlatform.Web.Tests.Infrastructure;
using NasPlatform.Web.Tests.Toy;

namespace NasPlatform.Web.Tests.Api;

/// <summary>
/// The factories retry a failed delivery after 0.2 s, doubling, and give up after 4 tries. Each test
/// is its own user, so that one test's webhooks do not hear another's events.
/// </summary>
public abstract class WebhookTests(PlatformFactory factory) : IAsyncLifetime
{
    private PlatformClient _client = null!;
    private Guid _userId;

    public async Task InitializeAsync()
    {
        (_userId, var token) = await factory.CreateUserWithTokenAsync($"hooks-{Guid.NewGuid():N}@tests.local");
        _client = new PlatformClient(factory, token);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ASearchsEvents_ReachTheReceiverSigned_AndTriesThatFailAreRetriedWithGrowingWaits()
    {
        await using var receiver = await WebhookReceiver.StartAsync(attempt => attempt <= 2 ? 503 : 200);
        var hook = await CreateAsync(receiver.Url, "search.started", "trial.finished", "search.succeeded");
        var secret = hook["secret"]!.GetValue<string>();
        var hookId = hook["id"]!.GetValue<Guid>();

        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "webhook data");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 5.0, searchSpace = ToySpace.SpaceName, objective = ToyObjective.ObjectiveName,
            strategy = "random", maxTrials = 3, finalEpochs = 1, parallelism = 1, seed = 3,
        });
        var searchId = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        Assert.Equal("succeeded", (await _client.WaitForSearchEndAsync(searchId, TimeSpan.FromMinutes(3)))["status"]!.GetValue<string>());

        var deliveries = await WaitForDeliveriesAsync(hookId, d => d.Count == 5 && d.All(x => x!["status"]!.GetValue<string>() == "delivered"));
        Assert.All(deliveries, d =>
        {
            Assert.Equal(3, d!["attempts"]!.GetValue<int>());
            Assert.Equal(200, d["lastStatusCode"]!.GetValue<int>());
        });
        Assert.Equal(["search.started", "search.succeeded", "trial.finished", "trial.finished", "trial.finished"],
            deliveries.Select(d => d!["event"]!.GetValue<string>()).Order());

        var received = receiver.All;
        Assert.Equal(15, received.Count);
        foreach (var r in received)
        {
            Assert.True(WebhookSignature.Verify(secret, r.Signature, r.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)), r.Signature);
            Assert.False(WebhookSignature.Verify(secret, r.Signature, r.Body + " ", DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
            var body = JsonNode.Parse(r.Body)!;
            Assert.Equal(r.Event, body["event"]!.GetValue<string>());
            Assert.Equal(r.DeliveryId, body["id"]!.GetValue<string>());
            Assert.Equal(searchId, (body["search"] ?? body["trial"])!["searchId"]!.GetValue<Guid>());
        }
        foreach (var tries in received.GroupBy(r => r.DeliveryId).Select(g => g.OrderBy(r => r.Try).ToList()))
        {
            Assert.Equal([503, 503, 200], tries.Select(t => t.Answered));
            // Waits of at least 0.2 s and then 0.4 s (lower bounds only: a busy machine may wait longer).
            Assert.True(tries[1].At - tries[0].At >= TimeSpan.FromSeconds(0.19), $"{tries[1].At - tries[0].At}");
            Assert.True(tries[2].At - tries[1].At >= TimeSpan.FromSeconds(0.39), $"{tries[2].At - tries[1].At}");
        }
        var finished = received.Where(r => r.Event == "trial.finished" && r.Try == 3).Select(r => JsonNode.Parse(r.Body)!["trial"]!).ToList();
        Assert.Equal([1, 2, 3], finished.Select(t => t["number"]!.GetValue<int>()).Order());
        Assert.All(finished, t => Assert.Equal("succeeded", t["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AReceiverThatNeverAccepts_EndsFailedAfterTheLastTry_WithItsAnswerRecorded()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 500);
        var hook = await CreateAsync(receiver.Url, "search.failed");
        var hookId = hook["id"]!.GetValue<Guid>();
        var webhooks = factory.Services.GetRequiredService<WebhookService>();

        Assert.Equal(1, await webhooks.RecordAsync(_userId, "search.failed", "search.failed:test", id => $"{{\"id\":\"{id}\"}}", CancellationToken.None));
        // The same event heard again (another web host, a repeated update) is owed once; an event not asked for, not at all.
        Assert.Equal(0, await webhooks.RecordAsync(_userId, "search.failed", "search.failed:test", id => "{}", CancellationToken.None));
        Assert.Equal(0, await webhooks.RecordAsync(_userId, "search.started", "search.started:test", id => "{}", CancellationToken.None));

        var delivery = (await WaitForDeliveriesAsync(hookId, d => d.Count == 1 && d[0]!["status"]!.GetValue<string>() == "failed")).Single()!;
        Assert.Equal(4, delivery["attempts"]!.GetValue<int>());
        Assert.Equal(500, delivery["lastStatusCode"]!.GetValue<int>());
        Assert.Contains("500", delivery["lastError"]!.GetValue<string>());
        Assert.Null(delivery["nextAttemptAt"]);
        Assert.Equal(4, receiver.All.Count);
    }

    [Fact]
    public async Task AnUnreachableReceiver_IsRetried_AndItsErrorShown()
    {
        var hook = await CreateAsync("http://127.0.0.1:9/nothing-listens-here", "search.cancelled");
        var hookId = hook["id"]!.GetValue<Guid>();
        await factory.Services.GetRequiredService<WebhookService>()
            .RecordAsync(_userId, "search.cancelled", "search.cancelled:test", id => "{}", CancellationToken.None);

        var delivery = (await WaitForDeliveriesAsync(hookId, d => d.Count == 1 && d[0]!["status"]!.GetValue<string>() == "failed")).Single()!;
        Assert.Equal(4, delivery["attempts"]!.GetValue<int>());
        Assert.Null(delivery["lastStatusCode"]);
        Assert.False(string.IsNullOrWhiteSpace(delivery["lastError"]!.GetValue<string>()));
    }

    [Fact]
    public async Task BadWebhooks_AreRefusedByField_SecretsAreShownOnce_AndOthersCannotSeeOrDelete()
    {
        var bad = await _client.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "ftp://example.com/x", events = new[] { "search.started" } });
        var problem = await PlatformClient.AssertProblemAsync(bad, 400, "http or https");
        Assert.NotNull(problem["errors"]!["url"]);
        bad = await _client.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://example.com/x", events = new[] { "search.exploded" } });
        problem = await PlatformClient.AssertProblemAsync(bad, 400, "search.exploded");
        Assert.NotNull(problem["errors"]!["events"]);
        bad = await _client.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://user:pw@example.com/x" });
        await PlatformClient.AssertProblemAsync(bad, 400, "credentials");

        var hook = await CreateAsync("https://example.com/all-events");
        Assert.Equal(WebhookEvents.All, hook["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.StartsWith("whsec_", hook["secret"]!.GetValue<string>());
        var id = hook["id"]!.GetValue<Guid>();
        var listed = (await _client.Http.GetFromJsonAsync<JsonArray>("/api/v1/webhooks"))!.Single(h => h!["id"]!.GetValue<Guid>() == id)!;
        Assert.Null(listed["secret"]);

        var (_, otherToken) = await factory.CreateUserWithTokenAsync($"hooks-{Guid.NewGuid():N}@tests.local");
        var other = new PlatformClient(factory, otherToken);
        Assert.DoesNotContain((await other.Http.GetFromJsonAsync<JsonArray>("/api/v1/webhooks"))!, h => h!["id"]!.GetValue<Guid>() == id);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync($"/api/v1/webhooks/{id}/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.DeleteAsync($"/api/v1/webhooks/{id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _client.Http.DeleteAsync($"/api/v1/webhooks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.Http.GetAsync($"/api/v1/webhooks/{id}/deliveries")).StatusCode);
    }

    private async Task<JsonObject> CreateAsync(string url, params string[] events)
    {
        var response = await _client.Http.PostAsJsonAsync("/api/v1/webhooks", new { url, events });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await PlatformClient.Json(response);
    }

    private async Task<JsonArray> WaitForDeliveriesAsync(Guid hookId, Func<JsonArray, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonArray rows;
        do
        {
            rows = (await _client.Http.GetFromJsonAsync<JsonArray>($"/api/v1/webhooks/{hookId}/deliveries"))!;
            if (done(rows)) return rows;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"Deliveries did not reach the expected state: {rows.ToJsonString()}");
        return rows;
    }
}

[Collection(PlatformCollection.Name)]
public sealed class WebhookTestsOnSqlite(PlatformFactory factory) : WebhookTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class WebhookTestsOnPostgres(PostgresPlatformFactory factory) : WebhookTests(factory);
