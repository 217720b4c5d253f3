using System.IO.Compression;
using System.Net;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Api;

/// <summary>TResNet's objective through the platform: images per second at a batch size, timed on batches of that size.</summary>
[Collection(PlatformCollection.Name)]
public sealed class ThroughputSearchTests(PlatformFactory factory)
{
    private readonly PlatformClient _client = new(factory);

    [Fact]
    public async Task AThroughputSearch_TimesBatches_ReportsImagesPerSecond_AndItsCardSaysSo()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "throughput data");
        var bad = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 40.0, objective = "throughput", objectiveOptions = new { batchSize = 0 },
        });
        await PlatformClient.AssertProblemAsync(bad, 400, "batchSize");

        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 40.0, objective = "throughput", objectiveOptions = new { batchSize = 4 },
            strategy = "random", maxTrials = 1, proxyEpochs = 1, proxyFraction = 1.0, finalEpochs = 1, parallelism = 1,
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(4));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());

        var trial = (await _client.GetAsync($"/api/v1/searches/{id}/trials"))["items"]!.AsArray().Single()!;
        Assert.Equal(4, trial["latency"]!["batchSize"]!.GetValue<int>());
        double batchMs = trial["latencyMs"]!.GetValue<double>();
        Assert.Equal(4000 / batchMs, trial["rewardTerms"]!["imagesPerSecond"]!.GetValue<double>(), 6);
        Assert.Equal(100, trial["rewardTerms"]!["targetImagesPerSecond"]!.GetValue<double>(), 6); // 4 images per 40 ms

        var modelId = search["modelId"]!.GetValue<Guid>();
        var model = await _client.GetAsync($"/api/v1/models/{modelId}");
        Assert.Equal(4, model["latency"]!["batchSize"]!.GetValue<int>());
        var download = await _client.Http.GetAsync($"/api/v1/models/{modelId}/download");
        using var zip = new ZipArchive(new MemoryStream(await download.Content.ReadAsByteArrayAsync()));
        using var card = new StreamReader(zip.GetEntry("model-card.md")!.Open());
        Assert.Contains("throughput (batch 4)", await card.ReadToEndAsync());
    }
}
