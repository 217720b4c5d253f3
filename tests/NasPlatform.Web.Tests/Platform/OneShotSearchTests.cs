using System.IO.Compression;
using System.Net;
using NasPlatform.Web.Tests.Infrastructure;
using NasPlatform.Web.Tests.Toy;

namespace NasPlatform.Web.Tests.Platform;

/// <summary>The one-shot search kind's seam, exercised with a test double: one checkpointed job, progress, resume, a final model.</summary>
public abstract class OneShotSearchTests(PlatformFactory factory)
{
    private readonly PlatformClient _client = new(factory);

    private async Task<(Guid Id, long Seed)> StartAsync(int steps, int? failAtStep = null)
    {
        long seed = Random.Shared.NextInt64(1, 1L << 40);
        if (failAtStep is { } f) ToyOneShot.FailOnceAtStep[seed] = f;
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "one-shot data");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 5.0, searchSpace = ToySpace.SpaceName, strategy = ToyOneShot.MethodName,
            proxyEpochs = steps, finalEpochs = 1, seed,
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return ((await PlatformClient.Json(response))["id"]!.GetValue<Guid>(), seed);
    }

    [Fact]
    public async Task AOneShotSearch_IsOneCheckpointedJob_ThatEndsWithItsDerivedArchitectureTrainedAsTheModel()
    {
        var (id, seed) = await StartAsync(steps: 3);
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(2));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
        Assert.Equal("one-shot", search["kind"]!.GetValue<string>());
        Assert.Equal([1, 2, 3], ToyOneShot.StepsBySeed[seed]);
        // Once the derived architecture is stored the run's checkpoint is not needed any more.
        Assert.False(factory.Blobs.Exists($"searches/{id}/one-shot.ckpt"));

        // The derived architecture is trial 1, measured on the device and scored by the objective.
        var trials = (await _client.GetAsync($"/api/v1/searches/{id}/trials"))["items"]!.AsArray();
        var trial = Assert.Single(trials)!;
        Assert.Equal(1, trial["number"]!.GetValue<int>());
        Assert.Equal(0.8, trial["validationMetric"]!.GetValue<double>());
        Assert.True(trial["latencyMs"]!.GetValue<double>() > 0);
        Assert.Equal(3, trial["history"]!.AsArray().Count);
        Assert.Equal(trial["id"]!.GetValue<Guid>(), search["bestTrial"]!["id"]!.GetValue<Guid>());

        var modelId = search["modelId"]!.GetValue<Guid>();
        var download = await _client.Http.GetAsync($"/api/v1/models/{modelId}/download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        using var zip = new ZipArchive(new MemoryStream(await download.Content.ReadAsByteArrayAsync()));
        Assert.NotNull(zip.GetEntry("model.bin"));

        // Deleting the search removes its checkpoint too.
        Assert.Equal(HttpStatusCode.NoContent, (await _client.Http.DeleteAsync($"/api/v1/searches/{id}")).StatusCode);
        Assert.False(factory.HasBlobs($"searches/{id}/"));
    }

    [Fact]
    public async Task AOneShotSearch_ThatFailedMidway_ResumesFromItsLastCheckpoint()
    {
        var (id, seed) = await StartAsync(steps: 4, failAtStep: 3);
        var failed = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(2));
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Contains("toy failure at step 3", failed["error"]!.GetValue<string>());
        Assert.True(factory.Blobs.Exists($"searches/{id}/one-shot.ckpt"));

        Assert.Equal(HttpStatusCode.OK, (await _client.Http.PostAsync($"/api/v1/searches/{id}/resume", null)).StatusCode);
        var resumed = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(2));
        Assert.True(resumed["status"]!.GetValue<string>() == "succeeded", resumed.ToJsonString());
        // Steps 1 and 2 were checkpointed and not run again; step 3 ran twice (it failed the first time).
        Assert.Equal([1, 2, 3, 3, 4], ToyOneShot.StepsBySeed[seed]);
    }

    /// <summary>
    /// A cancel and a resume inside one poll of the job's watcher leave the search running, so the status alone cannot stop the
    /// old job; the resume's new phase job does. In-process there is one device worker: had the old job gone on, it would have
    /// run every step and the resumed job would have found nothing left to do, never starting a run.
    /// </summary>
    [Fact]
    public async Task ACancelAndResumeInsideOnePoll_StopTheOldJob_AndTheResumedOneContinuesFromTheCheckpoint()
    {
        var (id, seed) = await StartAsync(steps: 100);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!(ToyOneShot.StepsBySeed.TryGetValue(seed, out var done) && done.Count >= 5 && factory.Blobs.Exists($"searches/{id}/one-shot.ckpt")))
        {
            Assert.True(DateTime.UtcNow < deadline, "the one-shot job did not start");
            await Task.Delay(50);
        }
        Assert.Equal(HttpStatusCode.OK, (await _client.Http.PostAsync($"/api/v1/searches/{id}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.Http.PostAsync($"/api/v1/searches/{id}/resume", null)).StatusCode);

        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(2));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
        var steps = ToyOneShot.StepsBySeed[seed].ToArray();
        Assert.Equal(100, steps.Max());
        Assert.True(ToyOneShot.StartsBySeed[seed] == 2, $"runs started: {ToyOneShot.StartsBySeed[seed]}; steps {string.Join(",", steps)}");
    }
}

[Collection(PlatformCollection.Name)]
public sealed class OneShotSearchTestsOnSqlite(PlatformFactory factory) : OneShotSearchTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class OneShotSearchTestsOnPostgres(PostgresPlatformFactory factory) : OneShotSearchTests(factory);
