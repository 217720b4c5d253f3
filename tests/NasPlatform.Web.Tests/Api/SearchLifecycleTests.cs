using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using NasPlatform.Platform.Progress;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Api;

public abstract class SearchLifecycleTests(PlatformFactory factory)
{
    private readonly PlatformClient _client = new(factory);

    [Fact]
    public async Task ThreeTrialSearch_Succeeds_ListsTrials_StreamsProgress_AndDownloadsTheModel()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "search data");
        var datasetId = dataset["id"]!.GetValue<Guid>();

        var trialMessages = new List<TrialUpdate>();
        var epochMessages = new List<EpochUpdate>();
        await using var hub = factory.Hub(factory.OwnerToken);
        hub.On<TrialUpdate>("TrialChanged", u => { lock (trialMessages) trialMessages.Add(u); });
        hub.On<EpochUpdate>("EpochFinished", u => { lock (epochMessages) epochMessages.Add(u); });
        await hub.StartAsync();

        var response = await _client.StartSearchAsync(new
        {
            datasetId, latencyBudgetMs = 5.0, strategy = "random", maxTrials = 3, proxyEpochs = 1, proxyFraction = 1.0, finalEpochs = 1, seed = 7,
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await PlatformClient.Json(response);
        var id = accepted["id"]!.GetValue<Guid>();
        Assert.Equal("queued", accepted["status"]!.GetValue<string>());
        await hub.InvokeAsync("WatchSearch", id);

        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(4));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
        Assert.Equal(3, search["trialsCompleted"]!.GetValue<int>());
        Assert.NotNull(search["bestTrial"]);
        var modelId = search["modelId"]!.GetValue<Guid>();

        var trials = await _client.GetAsync($"/api/v1/searches/{id}/trials?pageSize=2");
        Assert.Equal(3, trials["total"]!.GetValue<int>());
        Assert.Equal(2, trials["items"]!.AsArray().Count);
        var all = (await _client.GetAsync($"/api/v1/searches/{id}/trials?sort=reward&desc=true"))["items"]!.AsArray();
        Assert.Equal(search["bestTrial"]!["id"]!.GetValue<Guid>(), all[0]!["id"]!.GetValue<Guid>());
        foreach (var trial in all)
        {
            Assert.Equal("succeeded", trial!["status"]!.GetValue<string>());
            Assert.InRange(trial["validationMetric"]!.GetValue<double>(), 0, 1);
            Assert.Equal(trial["validationMetric"]!.GetValue<double>(), trial["rewardTerms"]!["metric"]!.GetValue<double>());
            Assert.True(trial["latencyMs"]!.GetValue<double>() > 0);
            Assert.True(trial["parameters"]!.GetValue<long>() > 0);
            Assert.NotNull(trial["architecture"]!["blocks"]);
        }
        Assert.Equal(3, all.Select(t => t!["architectureHash"]!.GetValue<string>()).Distinct().Count()
                        + all.Count(t => t!["fromCache"]!.GetValue<bool>()));

        var model = await _client.GetAsync($"/api/v1/models/{modelId}");
        Assert.Equal(id, model["searchId"]!.GetValue<Guid>());
        Assert.Equal("accuracy", model["metric"]!.GetValue<string>());
        Assert.InRange(model["testMetric"]!.GetValue<double>(), 0, 1);
        Assert.Equal(model["testMetric"]!.GetValue<double>(), model["testMetrics"]!["accuracy"]!.GetValue<double>());
        Assert.True(model["latencyMs"]!.GetValue<double>() > 0);
        Assert.True(model["macs"]!.GetValue<long>() > 0);
        Assert.Equal("soft", search["outcome"]!.GetValue<string>());
        Assert.Equal(1, model["recipe"]!["epochs"]!.GetValue<int>());
        Assert.Equal(0.25, model["recipe"]!["erasingProbability"]!.GetValue<double>());

        var download = await _client.Http.GetAsync($"/api/v1/models/{modelId}/download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(new MemoryStream(await download.Content.ReadAsByteArrayAsync()));
        Assert.Equal(["architecture.json", "model-card.json", "model-card.md", "model.bin", "model.onnx", "model.pt", "model.py"],
            zip.Entries.Select(e => e.FullName).Order().ToArray());
        Assert.True(zip.GetEntry("model.bin")!.Length > 1000);
        // The ONNX file alone, the same bytes as in the zip, and its check in the model.
        Assert.InRange(model["onnx"]!["maxAbsDiff"]!.GetValue<double>(), 0, 1e-4);
        Assert.Equal(17, model["onnx"]!["opset"]!.GetValue<int>());
        var onnx = await _client.Http.GetAsync($"/api/v1/models/{modelId}/onnx");
        Assert.Equal(HttpStatusCode.OK, onnx.StatusCode);
        var onnxBytes = await onnx.Content.ReadAsByteArrayAsync();
        using (var entry = new MemoryStream())
        {
            await zip.GetEntry("model.onnx")!.Open().CopyToAsync(entry);
            Assert.Equal(entry.ToArray(), onnxBytes);
        }
        Assert.Equal(17, Onnx.ModelProto.Parser.ParseFrom(onnxBytes).OpsetImport[0].Version);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.Http.GetAsync($"/api/v1/models/{Guid.NewGuid()}/onnx")).StatusCode);
        using (var card = new StreamReader(zip.GetEntry("model-card.json")!.Open()))
        {
            var json = JsonNode.Parse(await card.ReadToEndAsync())!;
            Assert.Equal(model["testMetric"]!.GetValue<double>(), json["testMetric"]!.GetValue<double>());
            Assert.Equal("search data", json["dataset"]!["name"]!.GetValue<string>());
            Assert.Equal(5.0, json["search"]!["latencyBudgetMs"]!.GetValue<double>());
            Assert.Equal("classification", json["task"]!.GetValue<string>());
            Assert.Equal(json["trainingRecipe"]!["steps"]!.GetValue<long>(), model["recipe"]!["steps"]!.GetValue<long>());
            Assert.Equal("model.onnx", json["onnx"]!["file"]!.GetValue<string>());
            Assert.Equal("model.py", json["pytorch"]!["source"]!.GetValue<string>());
        }
        using (var card = new StreamReader(zip.GetEntry("model-card.md")!.Open()))
        {
            var text = await card.ReadToEndAsync();
            Assert.Contains("one per class", text); // the task says how to read the output
            Assert.Contains("`model.onnx` is the same network as an ONNX graph (opset 17", text);
        }

        // Live progress reached the SignalR client: every trial's start and finish, and its epochs.
        await WaitUntil(() => { lock (trialMessages) return trialMessages.Count(m => m.Status == "succeeded") >= 3; });
        lock (trialMessages) Assert.Contains(trialMessages, m => m.Status == "running");
        lock (epochMessages) Assert.Contains(epochMessages, m => m.SearchId == id && m.Number >= 1);
        await _client.AssertNoOrphansAsync();

        // A finished search can be deleted with its model; then its dataset can be deleted too.
        Assert.Equal(HttpStatusCode.NoContent, (await _client.Http.DeleteAsync($"/api/v1/searches/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.Http.GetAsync($"/api/v1/models/{modelId}")).StatusCode);
        Assert.False(factory.HasBlobs($"models/{modelId}/"));
        Assert.Equal(HttpStatusCode.NoContent, (await _client.Http.DeleteAsync($"/api/v1/datasets/{datasetId}")).StatusCode);
        await _client.AssertNoOrphansAsync();
    }

    [Fact]
    public async Task AnHmarlSearchWithTheIrlasPrior_ShowsThePriorOnTheSearch_ItsTrials_AndItsModel()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "prior data");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 50.0, searchSpace = "resnet", strategy = "hmarl", maxTrials = 2,
            proxyEpochs = 1, finalEpochs = 1, seed = 4, prior = "irlas", priorWeight = 0.1, priorExpert = "vgg-1x",
        });
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
        Assert.Equal("irlas", search["prior"]!["name"]!.GetValue<string>());
        Assert.Equal("vgg-1x", search["prior"]!["expert"]!.GetValue<string>());

        var trials = (await _client.GetAsync($"/api/v1/searches/{id}/trials"))["items"]!.AsArray();
        Assert.NotEmpty(trials);
        foreach (var trial in trials.Where(t => t!["status"]!.GetValue<string>() == "succeeded"))
        {
            var terms = trial!["rewardTerms"]!;
            Assert.Equal(0.1 * terms["mirror"]!.GetValue<double>(), terms["prior"]!.GetValue<double>(), 9);
        }
        var model = await _client.GetAsync($"/api/v1/models/{search["modelId"]!.GetValue<Guid>()}");
        Assert.NotNull(model["rewardTerms"]!["prior"]);
    }

    [Fact]
    public async Task ASearchWithBaselines_TrainsTheZooWithItsFinalRecipe_AndReturnsThemBesideItsModel()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "zoo data");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 50.0, searchSpace = "resnet", strategy = "random", maxTrials = 1,
            proxyEpochs = 1, finalEpochs = 1, baselines = true, seed = 3,
        });
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
        Assert.True(search["baselines"]!.GetValue<bool>());

        async Task<JsonArray> BaselinesAsync() =>
            JsonNode.Parse(await _client.Http.GetStringAsync($"/api/v1/searches/{id}/baselines"))!.AsArray();
        var baselines = await BaselinesAsync();
        for (var deadline = DateTime.UtcNow.AddMinutes(3); baselines.Any(x => x!["status"]!.GetValue<string>() is "queued" or "running"); baselines = await BaselinesAsync())
        {
            Assert.True(DateTime.UtcNow < deadline, baselines.ToJsonString());
            await Task.Delay(200);
        }
        Assert.Equal(15, baselines.Count);
        Assert.Contains(baselines, b => b!["name"]!.GetValue<string>() == "resnet20-1x" && b["family"]!.GetValue<string>() == "resnet20");
        foreach (var b in baselines)
        {
            Assert.True(b!["status"]!.GetValue<string>() == "trained", b.ToJsonString());
            Assert.InRange(b["testMetric"]!.GetValue<double>(), 0, 1);
            Assert.True(b["latencyMs"]!.GetValue<double>() > 0);
            Assert.Equal(1, b["recipe"]!["epochs"]!.GetValue<int>());
            Assert.NotNull(b["dominatedBySearch"]);
        }
        await PlatformClient.AssertProblemAsync(await _client.Http.GetAsync($"/api/v1/searches/{Guid.NewGuid()}/baselines"), 404, "does not exist");
    }

    [Fact]
    public async Task BaselineFamilies_PickWhichZooFamiliesAreTrained_AndAnUnknownOneIsRefusedByField()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "family data");
        var datasetId = dataset["id"]!.GetValue<Guid>();
        var bad = await _client.StartSearchAsync(new { datasetId, latencyBudgetMs = 50.0, baselines = true, baselineFamilies = new[] { "resnet20", "alexnet" } });
        var problem = await PlatformClient.AssertProblemAsync(bad, 400, "alexnet");
        Assert.NotNull(problem["errors"]!["baselineFamilies"]);

        var response = await _client.StartSearchAsync(new
        {
            datasetId, latencyBudgetMs = 50.0, searchSpace = "resnet", strategy = "random", maxTrials = 1, proxyEpochs = 1, finalEpochs = 1,
            baselines = true, baselineFamilies = new[] { "resnet20", "vgg" }, seed = 3,
        });
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var names = JsonNode.Parse(await _client.Http.GetStringAsync($"/api/v1/searches/{id}/baselines"))!.AsArray().Select(b => b!["name"]!.GetValue<string>());
        Assert.Equal(["resnet20-0.25x", "resnet20-0.5x", "resnet20-1x", "vgg-0.25x", "vgg-0.5x", "vgg-1x"], names.Order());
        Assert.Equal(HttpStatusCode.OK, (await _client.Http.PostAsync($"/api/v1/searches/{id}/cancel", null)).StatusCode);
        await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task UnderAHardBudget_ProposalsPredictedWellOverItAreNotTrained_AndThePredictorReportsItself()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "predicted data");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 0.01, constraint = "hard", strategy = "random", maxTrials = 3,
            proxyEpochs = 1, finalEpochs = 1, parallelism = 1, seed = 4,
        });
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
        Assert.Equal("over-budget", search["outcome"]!.GetValue<string>());

        var trials = (await _client.GetAsync($"/api/v1/searches/{id}/trials?sort=number"))["items"]!.AsArray();
        // The first trial trains (a search always ends with a model); the others are predicted far over 0.01 ms and skipped.
        Assert.Equal("succeeded", trials[0]!["status"]!.GetValue<string>());
        Assert.True(trials[0]!["predictedLatencyMs"]!.GetValue<double>() > 0);
        foreach (var t in trials.Skip(1).Where(t => !t!["fromCache"]!.GetValue<bool>()))
        {
            Assert.True(t!["skipped"]!.GetValue<bool>(), t.ToJsonString());
            Assert.Equal("failed", t["status"]!.GetValue<string>());
            Assert.StartsWith("Skipped: predicted", t["error"]!.GetValue<string>());
            Assert.True(t["predictedLatencyMs"]!.GetValue<double>() > 0.02);
        }

        var predictor = await _client.GetAsync("/api/v1/devices/cpu/latency-predictor");
        Assert.True(predictor["tableEntries"]!.GetValue<int>() > 0);
        Assert.True(predictor["observations"]!.GetValue<int>() >= 1);
    }

    [Fact]
    public async Task AnAshaSearch_TrainsRungsAtTheirOwnFidelity_AndPromotesThroughTheCoordinator()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "asha data");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 50.0, searchSpace = "resnet", strategy = "asha",
            strategyOptions = new { rungs = 2, baseStrategy = "random" }, maxTrials = 5, proxyEpochs = 3, finalEpochs = 1, parallelism = 1, seed = 2,
        });
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
        var trials = (await _client.GetAsync($"/api/v1/searches/{id}/trials?sort=number"))["items"]!.AsArray();
        Assert.Equal(5, trials.Count);
        Assert.All(trials.Where(t => t!["rung"]!.GetValue<int>() == 0), t => Assert.Equal(1, t!["proxyEpochs"]!.GetValue<int>()));
        var promoted = trials.Where(t => t!["rung"]!.GetValue<int>() == 1).ToList();
        Assert.NotEmpty(promoted);
        Assert.All(promoted, t => Assert.Equal(3, t!["proxyEpochs"]!.GetValue<int>()));
        // The final model comes from the top rung reached.
        Assert.Contains(promoted, t => t!["id"]!.GetValue<Guid>() == search["bestTrial"]!["id"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task TrainingLengthsLeftOpen_AreSizedFromTheDataset_AndStoredAsTheyWillRun()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "sized data");
        var response = await _client.StartSearchAsync(new { datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 5.0, maxTrials = 1, horizontalFlip = true });
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.GetAsync($"/api/v1/searches/{id}");
        await _client.Http.PostAsync($"/api/v1/searches/{id}/cancel", null);
        // 150 images: small batches, the whole split per trial, and as many epochs as the bounds allow to get the steps.
        Assert.Equal(64, search["batchSize"]!.GetValue<int>());
        Assert.Equal(1.0, search["proxyFraction"]!.GetValue<double>());
        Assert.Equal(30, search["proxyEpochs"]!.GetValue<int>());
        Assert.Equal(200, search["finalEpochs"]!.GetValue<int>());
        Assert.True(search["horizontalFlip"]!.GetValue<bool>());
        Assert.Equal(0.25, search["randomErasing"]!.GetValue<double>());
        Assert.Null(search["outcome"]);
    }

    [Fact]
    public async Task CancellingASearch_StopsItsQueuedAndRunningTrials()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(train: 600), "cancel data");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 5.0, maxTrials = 50, proxyEpochs = 30, proxyFraction = 1.0, parallelism = 2,
        });
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        await _client.WaitForAsync($"/api/v1/searches/{id}/trials", t => t["items"]!.AsArray().Any(x => x!["status"]!.GetValue<string>() == "running"),
            TimeSpan.FromMinutes(1));

        await PlatformClient.AssertProblemAsync(await _client.Http.DeleteAsync($"/api/v1/searches/{id}"), 409, "cancel it first");
        var cancel = await _client.Http.PostAsync($"/api/v1/searches/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", (await PlatformClient.Json(cancel))["status"]!.GetValue<string>());
        var trials = (await _client.GetAsync($"/api/v1/searches/{id}/trials"))["items"]!.AsArray();
        Assert.All(trials, t => Assert.Equal("cancelled", t!["status"]!.GetValue<string>()));

        // The worker lets go of the running trial within seconds: a new search's trial gets to run.
        await PlatformClient.AssertProblemAsync(await _client.Http.PostAsync($"/api/v1/searches/{id}/cancel", null), 409, "already cancelled");
        var next = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 5.0, maxTrials = 1, proxyEpochs = 1, finalEpochs = 1,
        });
        var nextId = (await PlatformClient.Json(next))["id"]!.GetValue<Guid>();
        var done = await _client.WaitForSearchEndAsync(nextId, TimeSpan.FromMinutes(2));
        Assert.Equal("succeeded", done["status"]!.GetValue<string>());
        Assert.All((await _client.GetAsync($"/api/v1/searches/{id}/trials"))["items"]!.AsArray(),
            t => Assert.Equal("cancelled", t!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task CancellingDuringTheFinalTraining_StopsItWithinSeconds_AndKeepsNoModel()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "final cancel data");
        var response = await _client.StartSearchAsync(new
        {
            // Minutes of final training on this data if nothing stops it.
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 50.0, searchSpace = "resnet", maxTrials = 1, proxyEpochs = 1,
            finalEpochs = 10_000,
        });
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        await _client.WaitForAsync($"/api/v1/searches/{id}", s => s["phase"]!.GetValue<string>() == "final", TimeSpan.FromMinutes(2));
        await Task.Delay(TimeSpan.FromSeconds(2)); // into the training loop
        var cancel = await _client.Http.PostAsync($"/api/v1/searches/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);

        // The final training holds the device; a new search can train only once it has let go.
        var next = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 50.0, searchSpace = "resnet", maxTrials = 1, proxyEpochs = 1, finalEpochs = 1,
        });
        var done = await _client.WaitForSearchEndAsync((await PlatformClient.Json(next))["id"]!.GetValue<Guid>(), TimeSpan.FromMinutes(2));
        Assert.Equal("succeeded", done["status"]!.GetValue<string>());
        var cancelled = await _client.GetAsync($"/api/v1/searches/{id}");
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Null(cancelled["modelId"]);
    }

    [Fact]
    public async Task CancelledSearch_CanBeResumed_AndFinishesExactlyItsTrials()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(train: 300), "resume data");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 5.0, strategy = "evolution", maxTrials = 3, proxyEpochs = 3,
            proxyFraction = 1.0, finalEpochs = 1, parallelism = 1, seed = 11,
        });
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        await _client.WaitForAsync($"/api/v1/searches/{id}/trials", t => t["items"]!.AsArray().Any(x => x!["status"]!.GetValue<string>() == "running"),
            TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await _client.Http.PostAsync($"/api/v1/searches/{id}/cancel", null)).StatusCode);

        var resumed = await _client.Http.PostAsync($"/api/v1/searches/{id}/resume", null);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal("running", (await PlatformClient.Json(resumed))["status"]!.GetValue<string>());
        var done = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(done["status"]!.GetValue<string>() == "succeeded", done.ToJsonString());
        var trials = (await _client.GetAsync($"/api/v1/searches/{id}/trials"))["items"]!.AsArray();
        Assert.Equal([1, 2, 3], trials.Select(t => t!["number"]!.GetValue<int>()).ToArray());
        Assert.All(trials, t => Assert.Equal("succeeded", t!["status"]!.GetValue<string>()));
        await PlatformClient.AssertProblemAsync(await _client.Http.PostAsync($"/api/v1/searches/{id}/resume", null), 409, "failed or cancelled");
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.True(condition());
    }
}

[Collection(PlatformCollection.Name)]
public sealed class SearchLifecycleTestsOnSqlite(PlatformFactory factory) : SearchLifecycleTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class SearchLifecycleTestsOnPostgres(PostgresPlatformFactory factory) : SearchLifecycleTests(factory);

/// <summary>The same on PostgreSQL with the S3 blob store: nothing on a shared disk.</summary>
[Collection(S3Collection.Name)]
public sealed class SearchLifecycleTestsOnS3(S3PlatformFactory factory) : SearchLifecycleTests(factory);
