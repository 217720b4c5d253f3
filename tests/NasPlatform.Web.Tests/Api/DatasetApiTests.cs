using System.Net;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Api;

public abstract class DatasetApiTests(PlatformFactory factory)
{
    private readonly PlatformClient _client = new(factory);

    [Fact]
    public async Task UploadedIdxZip_BecomesReady_WithShapeClassesAndCounts()
    {
        var response = await _client.UploadAsync(TestZips.TinyIdx(gzip: true), "tiny idx", "idx-zip");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await PlatformClient.Json(response);
        Assert.Equal("processing", created["status"]!.GetValue<string>());
        Assert.Equal("tiny idx", created["name"]!.GetValue<string>());
        Assert.NotNull(response.Headers.Location);

        var id = created["id"]!.GetValue<Guid>();
        var dataset = await _client.WaitForAsync($"/api/v1/datasets/{id}", d => d["status"]!.GetValue<string>() != "processing", TimeSpan.FromMinutes(1));
        Assert.Equal("ready", dataset["status"]!.GetValue<string>());
        Assert.Equal("idx-zip", dataset["format"]!.GetValue<string>());
        Assert.Equal(3, dataset["numClasses"]!.GetValue<int>());
        Assert.Equal(150, dataset["trainCount"]!.GetValue<int>());
        Assert.Equal(45, dataset["testCount"]!.GetValue<int>());
        Assert.Equal("[1,16,16]", dataset["inputShape"]!.ToJsonString());
        Assert.Equal(3, dataset["classNames"]!.AsArray().Count);
        Assert.Equal("[50,50,50]", dataset["classCounts"]!.ToJsonString());

        var preview = await _client.Http.GetAsync($"/api/v1/datasets/{id}/preview/2");
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        Assert.Equal("image/png", preview.Content.Headers.ContentType?.MediaType);
        var png = await preview.Content.ReadAsByteArrayAsync();
        Assert.Equal(0x89, png[0]);

        var list = await _client.Http.GetStringAsync("/api/v1/datasets");
        Assert.Contains(id.ToString(), list);
        await _client.AssertNoOrphansAsync();
    }

    [Fact]
    public async Task ImageFolderZip_IsDetectedWithoutAFormat_AndHoldsOutATestPart()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.ImageFolder(classes: 2, perClass: 10, prefix: "wrapper/"), "folders");
        Assert.Equal("ready", dataset["status"]!.GetValue<string>());
        Assert.Equal("imagefolder-zip", dataset["format"]!.GetValue<string>());
        Assert.Equal("[\"class0\",\"class1\"]", dataset["classNames"]!.ToJsonString());
        Assert.Equal(20, dataset["trainCount"]!.GetValue<int>() + dataset["testCount"]!.GetValue<int>());
        Assert.Equal("[3,32,32]", dataset["inputShape"]!.ToJsonString()); // image folders are resized to 32x32
    }

    [Fact]
    public async Task DeletingADataset_RemovesItsRowAndFiles()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "to delete");
        var id = dataset["id"]!.GetValue<Guid>();
        Assert.True(factory.HasBlobs($"datasets/{id}/"));

        var deleted = await _client.Http.DeleteAsync($"/api/v1/datasets/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.Http.GetAsync($"/api/v1/datasets/{id}")).StatusCode);
        Assert.False(factory.HasBlobs($"datasets/{id}/"));
        await PlatformClient.AssertProblemAsync(await _client.Http.DeleteAsync($"/api/v1/datasets/{id}"), 404, "does not exist");
    }

    [Fact]
    public async Task HealthEndpoints_SayLiveAndReady()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.Http.GetAsync("/healthz")).StatusCode);
        var ready = await _client.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
        var metrics = await _client.Http.GetStringAsync("/metrics");
        foreach (var name in new[] { "nasplatform_queue_length", "nasplatform_trials_running", "nasplatform_trials_finished_last_minute", "nasplatform_workers_online" })
            Assert.Contains(name, metrics);
        await _client.AssertNoOrphansAsync();
    }

    [Fact]
    public async Task OpenApiDocument_ListsTheContractRoutes()
    {
        var doc = await _client.Http.GetStringAsync("/openapi/v1.json");
        foreach (var route in new[] { "/api/v1/datasets", "/api/v1/datasets/{id}", "/api/v1/searches", "/api/v1/searches/{id}",
                     "/api/v1/searches/{id}/trials", "/api/v1/searches/{id}/cancel", "/api/v1/models/{id}", "/api/v1/models/{id}/download" })
            Assert.Contains($"\"{route}\"", doc);
        var reference = await _client.Http.GetAsync("/api/");
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
    }
}

[Collection(PlatformCollection.Name)]
public sealed class DatasetApiTestsOnSqlite(PlatformFactory factory) : DatasetApiTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class DatasetApiTestsOnPostgres(PostgresPlatformFactory factory) : DatasetApiTests(factory);

/// <summary>The same on PostgreSQL with the S3 blob store: nothing on a shared disk.</summary>
[Collection(S3Collection.Name)]
public sealed class DatasetApiTestsOnS3(S3PlatformFactory factory) : DatasetApiTests(factory);
