using System.Net.Http.Json;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Api;

public abstract class BadSearchTests(PlatformFactory factory)
{
    private readonly PlatformClient _client = new(factory);

    [Theory]
    [InlineData(0.0, 3, "latencyBudgetMs")]
    [InlineData(-5.0, 3, "latencyBudgetMs")]
    [InlineData(1e9, 3, "latencyBudgetMs")]
    [InlineData(5.0, 0, "maxTrials")]
    public async Task ImpossibleBudgets_AreValidationProblems(double budget, int trials, string field)
    {
        var response = await _client.StartSearchAsync(new { datasetId = Guid.NewGuid(), latencyBudgetMs = budget, maxTrials = trials });
        var problem = await PlatformClient.AssertProblemAsync(response, 400, field);
        Assert.NotNull(problem["errors"]![field]);
    }

    [Fact]
    public async Task UnknownStrategyAndSpace_AreNamedInTheProblem()
    {
        var response = await _client.StartSearchAsync(new { datasetId = Guid.NewGuid(), latencyBudgetMs = 5, strategy = "magic", searchSpace = "darts-x", proxyFraction = 2,
            randomErasing = 1.5, emaDecay = 1.0, batchSize = 0 });
        var problem = await PlatformClient.AssertProblemAsync(response, 400, "magic");
        Assert.NotNull(problem["errors"]!["searchSpace"]);
        Assert.NotNull(problem["errors"]!["proxyFraction"]);
        Assert.NotNull(problem["errors"]!["randomErasing"]);
        Assert.NotNull(problem["errors"]!["emaDecay"]);
        Assert.NotNull(problem["errors"]!["batchSize"]);
    }

    [Fact]
    public async Task ASearchForADeviceClassNoWorkerServes_IsRefused_OrWaitsVisiblyAndGivesUp()
    {
        var ready = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "device class data");
        var datasetId = ready["id"]!.GetValue<Guid>();
        var before = (await _client.GetAsync("/api/v1/searches"))["total"]!.GetValue<int>();
        var refused = await _client.StartSearchAsync(new { datasetId, latencyBudgetMs = 5, targetDevice = "tpu9" });
        var problem = await PlatformClient.AssertProblemAsync(refused, 400, "is online (online: cpu)");
        var message = problem["errors"]!["targetDevice"]![0]!.GetValue<string>();
        Assert.Contains("No worker of device class 'tpu9' is online", message);
        Assert.Contains("waitForWorkerMinutes", message);
        Assert.Equal(before, (await _client.GetAsync("/api/v1/searches"))["total"]!.GetValue<int>());

        // Asked to wait: accepted, shown waiting, and failed with a plain message when no worker comes in time.
        var accepted = await _client.StartSearchAsync(new { datasetId, latencyBudgetMs = 5, targetDevice = "tpu9", maxTrials = 1, waitForWorkerMinutes = 0.1 });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (await PlatformClient.Json(accepted))["id"]!.GetValue<Guid>();
        var waiting = await _client.GetAsync($"/api/v1/searches/{id}");
        Assert.True(waiting["waitingForWorker"]!.GetValue<bool>());
        Assert.Equal(0.1, waiting["waitForWorkerMinutes"]!.GetValue<double>());
        var ended = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(1));
        Assert.Equal("failed", ended["status"]!.GetValue<string>());
        Assert.Contains("No worker of device class 'tpu9' came online within 0.1 minutes", ended["error"]!.GetValue<string>());
        Assert.False(ended["waitingForWorker"]!.GetValue<bool>());

        // The class the platform's own worker serves is accepted as before.
        var cpu = await _client.StartSearchAsync(new { datasetId, latencyBudgetMs = 5, targetDevice = "cpu", maxTrials = 1 });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, cpu.StatusCode);
        await _client.Http.PostAsync($"/api/v1/searches/{(await PlatformClient.Json(cpu))["id"]!.GetValue<Guid>()}/cancel", null);
    }

    [Fact]
    public async Task SearchOnAMissingDataset_Is404()
    {
        await PlatformClient.AssertProblemAsync(await _client.StartSearchAsync(new { datasetId = Guid.NewGuid(), latencyBudgetMs = 5 }), 404, "does not exist");
    }

    [Fact]
    public async Task SearchOnAFailedDataset_Is409_AndCreatesNoSearch()
    {
        var failed = await _client.UploadAndWaitAsync(TestZips.ImageFolder(classes: 1), "failed one");
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        var before = (await _client.GetAsync("/api/v1/searches"))["total"]!.GetValue<int>();
        var response = await _client.StartSearchAsync(new { datasetId = failed["id"]!.GetValue<Guid>(), latencyBudgetMs = 5 });
        await PlatformClient.AssertProblemAsync(response, 409, "not ready");
        Assert.Equal(before, (await _client.GetAsync("/api/v1/searches"))["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task AMultiFidelitySearchOverAnUnknownBaseStrategy_IsRefusedByField_AndCreatesNoSearch()
    {
        var ready = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "base strategy data");
        var before = (await _client.GetAsync("/api/v1/searches"))["total"]!.GetValue<int>();
        var response = await _client.StartSearchAsync(new
        {
            datasetId = ready["id"]!.GetValue<Guid>(), latencyBudgetMs = 5, strategy = "asha", strategyOptions = new { baseStrategy = "asha" },
        });
        var problem = await PlatformClient.AssertProblemAsync(response, 400, "BaseStrategy");
        Assert.NotNull(problem["errors"]!["strategyOptions"]);
        Assert.Equal(before, (await _client.GetAsync("/api/v1/searches"))["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task ASegmentationSearchOnAClassificationDataset_IsRefusedByField()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "labels only");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 5, task = "segmentation", searchSpace = "resnet",
        });
        var problem = await PlatformClient.AssertProblemAsync(response, 400, "classification only");
        Assert.NotNull(problem["errors"]!["task"]);
    }

    [Fact]
    public async Task AnUnknownPriorOrExpert_IsRefusedByField()
    {
        var response = await _client.StartSearchAsync(new
        {
            datasetId = Guid.NewGuid(), latencyBudgetMs = 5, prior = "irl", priorWeight = -1, priorExpert = "resnext-9x",
        });
        var problem = await PlatformClient.AssertProblemAsync(response, 400, "irl");
        Assert.NotNull(problem["errors"]!["priorWeight"]);
        Assert.Contains("resnet20-1x", problem["errors"]!["priorExpert"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task MalformedJsonAndUnknownIds_AreProblems()
    {
        var bad = await _client.Http.PostAsync("/api/v1/searches", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        await PlatformClient.AssertProblemAsync(bad, 400, "JSON");
        await PlatformClient.AssertProblemAsync(await _client.Http.GetAsync($"/api/v1/searches/{Guid.NewGuid()}"), 404, "does not exist");
        await PlatformClient.AssertProblemAsync(await _client.Http.GetAsync($"/api/v1/searches/{Guid.NewGuid()}/trials"), 404, "does not exist");
        await PlatformClient.AssertProblemAsync(await _client.Http.PostAsync($"/api/v1/searches/{Guid.NewGuid()}/cancel", null), 404, "does not exist");
        await PlatformClient.AssertProblemAsync(await _client.Http.GetAsync($"/api/v1/models/{Guid.NewGuid()}"), 404, "does not exist");
        await PlatformClient.AssertProblemAsync(await _client.Http.GetAsync($"/api/v1/models/{Guid.NewGuid()}/download"), 404, "does not exist");
        await PlatformClient.AssertProblemAsync(await _client.Http.GetAsync($"/api/v1/datasets/{Guid.NewGuid()}"), 404, "does not exist");
        var page = await _client.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/v1/searches?page=0&pageSize=100000");
        Assert.Equal(SearchesApiMaxPage, page!["pageSize"]!.GetValue<int>());
    }

    private const int SearchesApiMaxPage = NasPlatform.Web.Api.SearchesApi.MaxPageSize;
}

[Collection(PlatformCollection.Name)]
public sealed class BadSearchTestsOnSqlite(PlatformFactory factory) : BadSearchTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class BadSearchTestsOnPostgres(PostgresPlatformFactory factory) : BadSearchTests(factory);
