using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NasPlatform.Web.Tests.Infrastructure;
using NasPlatform.Web.Tests.Toy;

namespace NasPlatform.Web.Tests.Api;

/// <summary>
/// A process that dies between storing a row and queuing its job leaves work nobody will run. The
/// tests lose those jobs on purpose (no job, no job id, as after such a crash); the watchdog must find
/// each, queue it again, say what it did, and the search must finish as if nothing had happened.
/// </summary>
public abstract class WatchdogTests(PlatformFactory factory)
{
    private readonly PlatformClient _client = new(factory);

    [Fact]
    public async Task TrialAndFinalJobsLostAfterTheirRowsWereStored_AreQueuedAgainByTheWatchdog_AndTheSearchSucceeds()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "watchdog data");
        var faults = factory.Services.GetRequiredService<LosingJobScheduler>();
        faults.LoseNext(trials: 1, finals: 1);
        try
        {
            var response = await _client.StartSearchAsync(new
            {
                datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 5.0, searchSpace = ToySpace.SpaceName, objective = ToyObjective.ObjectiveName,
                strategy = "random", maxTrials = 3, parallelism = 1, finalEpochs = 1, seed = 3,
            });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();

            var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(3));
            Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
            Assert.Equal(3, search["trialsCompleted"]!.GetValue<int>());
            Assert.NotNull(search["modelId"]);

            var repairs = (await _client.Http.GetFromJsonAsync<JsonArray>($"/api/v1/searches/{id}/repairs"))!
                .Select(r => r!["message"]!.GetValue<string>()).ToList();
            Assert.Single(repairs, m => m.StartsWith("Trial 1 was queued with no job to run it (none was recorded)"));
            Assert.Single(repairs, m => m.Contains("final training had no job"));
        }
        finally
        {
            faults.LoseNext(0, 0);
        }
    }

    [Fact]
    public async Task TrialsFailingInARow_StopTheSearch_WithTheLastError_LikeTheCli()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "failing data");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 5.0, searchSpace = ToySpace.SpaceName,
            spaceOptions = new { widths = new[] { ToyEstimatorFactory.BrokenWidth } }, objective = ToyObjective.ObjectiveName,
            strategy = "random", maxTrials = 20, parallelism = 1, finalEpochs = 1, seed = 4,
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(2));
        Assert.Equal("failed", search["status"]!.GetValue<string>());
        Assert.Contains($"The last {Engine.Pipeline.FailurePolicy.MaxConsecutiveFailures} trials failed in a row", search["error"]!.GetValue<string>());
        Assert.Contains("toy failure", search["error"]!.GetValue<string>());
        var trials = (await _client.GetAsync($"/api/v1/searches/{id}/trials?pageSize=100"))["items"]!.AsArray();
        Assert.Equal(Engine.Pipeline.FailurePolicy.MaxConsecutiveFailures, trials.Count(t => t!["status"]!.GetValue<string>() == "failed"));
    }

    [Fact]
    public async Task Repairs_OfAnotherUsersSearch_AreNotFound()
    {
        var response = await _client.Http.GetAsync($"/api/v1/searches/{Guid.NewGuid()}/repairs");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

[Collection(PlatformCollection.Name)]
public sealed class WatchdogTestsOnSqlite(PlatformFactory factory) : WatchdogTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class WatchdogTestsOnPostgres(PostgresPlatformFactory factory) : WatchdogTests(factory);
