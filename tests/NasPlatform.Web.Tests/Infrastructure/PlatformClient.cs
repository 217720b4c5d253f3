using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NasPlatform.Data.Entities;

namespace NasPlatform.Web.Tests.Infrastructure;

/// <summary>What a CI script does with the REST API, plus the checks the tests make after each call.</summary>
public sealed class PlatformClient(PlatformFactory factory, string? token = null)
{
    /// <summary>Acts as the user of <paramref name="token"/>, by default the factory's owner.</summary>
    public HttpClient Http { get; } = token is null ? factory.Api() : factory.ApiAs(token);

    public async Task<HttpResponseMessage> UploadAsync(byte[] file, string name = "tiny", string? format = null, string fileName = "data.zip")
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(name), "name");
        if (format is not null) form.Add(new StringContent(format), "format");
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        form.Add(content, "file", fileName);
        return await Http.PostAsync("/api/v1/datasets", form);
    }

    /// <summary>Uploads and waits for ingestion to end; returns the dataset as the API shows it.</summary>
    public async Task<JsonObject> UploadAndWaitAsync(byte[] file, string name = "tiny", string? format = null)
    {
        var response = await UploadAsync(file, name, format);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var id = (await Json(response))["id"]!.GetValue<Guid>();
        return await WaitForAsync($"/api/v1/datasets/{id}", d => d["status"]!.GetValue<string>() != "processing", TimeSpan.FromMinutes(1));
    }

    public async Task<JsonObject> GetAsync(string path)
    {
        var response = await Http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await Json(response);
    }

    public async Task<JsonObject> WaitForAsync(string path, Func<JsonObject, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var current = await GetAsync(path);
            if (done(current)) return current;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path} did not reach the expected state: {current.ToJsonString()}");
            await Task.Delay(200);
        }
    }

    public Task<JsonObject> WaitForSearchEndAsync(Guid id, TimeSpan timeout) =>
        WaitForAsync($"/api/v1/searches/{id}", s => s["status"]!.GetValue<string>() is "succeeded" or "failed" or "cancelled", timeout);

    public async Task<HttpResponseMessage> StartSearchAsync(object request) => await Http.PostAsJsonAsync("/api/v1/searches", request);

    public static async Task<JsonObject> Json(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>Asserts an RFC 7807 answer with the status and a detail containing <paramref name="fragment"/>.</summary>
    public static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, int status, string fragment)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!.AsObject();
        var text = (problem["detail"]?.GetValue<string>() ?? "") + " " + (problem["errors"]?.ToJsonString() ?? "");
        Assert.Contains(fragment, text, StringComparison.OrdinalIgnoreCase);
        return problem;
    }

    public async Task<int> DatasetCountAsync()
    {
        await using var db = factory.Db();
        return await db.Datasets.CountAsync();
    }

    /// <summary>
    /// Nothing half-done is left: every dataset folder in the blob store belongs to a ready dataset
    /// (failed ones keep no files), no model folder lacks its row, and no upload is left in tmp.
    /// </summary>
    public async Task AssertNoOrphansAsync()
    {
        await using var db = factory.Db();
        var ready = (await db.Datasets.Where(d => d.Status != DatasetStatus.Failed).Select(d => d.Id).ToListAsync()).Select(i => i.ToString()).ToHashSet();
        var models = (await db.Models.Select(m => m.Id).ToListAsync()).Select(i => i.ToString()).ToHashSet();
        // Through the configured store (folder or S3): every blob belongs to a live dataset or model.
        foreach (var key in factory.Blobs.List("datasets/"))
            Assert.True(ready.Contains(key.Split('/')[1]), $"orphan dataset blob {key}");
        foreach (var key in factory.Blobs.List("models/"))
            Assert.True(models.Contains(key.Split('/')[1]), $"orphan model blob {key}");
        if (Directory.Exists(factory.TempRoot))
            Assert.Empty(Directory.GetFileSystemEntries(factory.TempRoot));
        if (Directory.Exists(factory.BlobRoot))
        {
            // A write still in flight (a job of an earlier test's search storing a blob) holds its temporary file for a
            // moment before the rename; one left behind is still there after the wait.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            string[] temps;
            while ((temps = Directory.GetFiles(factory.BlobRoot, "*.tmp", SearchOption.AllDirectories)).Length > 0 && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            Assert.Empty(temps);
        }
    }
}
