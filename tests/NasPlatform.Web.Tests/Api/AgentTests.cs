using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NasPlatform.Data.Entities;
using NasPlatform.Web.Tests.Infrastructure;
using Xunit.Abstractions;

namespace NasPlatform.Web.Tests.Api;

/// <summary>
/// Edge devices and the latency agent, with the real agent program started on loopback: it registers,
/// measures every model a search sends it (the trials' and the final model's figures are its own), and
/// a measurement whose agent is killed midway is handed to the next agent of the device.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class AgentTests(PlatformFactory factory, ITestOutputHelper output)
{
    private readonly PlatformClient _client = new(factory);

    [Fact]
    public async Task Devices_AreCreatedWithAToken_Validated_Listed_AndDeletedWithIt()
    {
        string name = $"board-{Guid.NewGuid():N}"[..14];
        var (id, token) = await CreateDeviceAsync(name);
        await PlatformClient.AssertProblemAsync(await _client.Http.PostAsJsonAsync("/api/v1/devices", new { name }), 409, "already have a device");
        await PlatformClient.AssertProblemAsync(await _client.Http.PostAsJsonAsync("/api/v1/devices", new { name = "Not Valid!" }), 400, "device name");

        using var agent = AgentClient(token);
        var hello = await agent.PostAsJsonAsync("/api/v1/agent/hello", new { agent = "test", hardware = "test bench; x64" });
        Assert.Equal(HttpStatusCode.OK, hello.StatusCode);
        Assert.Equal(name, (await PlatformClient.Json(hello))["device"]!.GetValue<string>());
        var listed = (await _client.Http.GetFromJsonAsync<JsonArray>("/api/v1/devices"))!.Single(d => d!["id"]!.GetValue<Guid>() == id)!;
        Assert.True(listed["online"]!.GetValue<bool>());
        Assert.Equal("test bench; x64", listed["hardware"]!.GetValue<string>());
        Assert.Equal($"agent:{name}", listed["target"]!.GetValue<string>());
        Assert.Null(listed["token"]);

        using var wrong = AgentClient("nasd_0000");
        await PlatformClient.AssertProblemAsync(await wrong.PostAsJsonAsync("/api/v1/agent/hello", new { agent = "x" }), 401, "X-Device-Token");
        using var userToken = AgentClient(factory.OwnerToken);
        await PlatformClient.AssertProblemAsync(await userToken.PostAsJsonAsync("/api/v1/agent/jobs/next", new { agent = "x" }), 401, "X-Device-Token");

        // A search may only name a device of its owner.
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "agent validation data");
        var refused = await _client.StartSearchAsync(new { datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 5.0, latencyDevice = "agent:nobody-has-this" });
        var problem = await PlatformClient.AssertProblemAsync(refused, 400, "no edge device");
        Assert.NotNull(problem["errors"]!["latencyDevice"]);

        Assert.Equal(HttpStatusCode.NoContent, (await _client.Http.DeleteAsync($"/api/v1/devices/{id}")).StatusCode);
        await PlatformClient.AssertProblemAsync(await agent.PostAsJsonAsync("/api/v1/agent/hello", new { agent = "test" }), 401, "X-Device-Token");
    }

    [Fact]
    public async Task ASearchOnAnAgentDevice_HasEveryLatencyMeasuredByTheAgent()
    {
        string name = $"edge-{Guid.NewGuid():N}"[..13];
        var (deviceId, token) = await CreateDeviceAsync(name);
        using var agent = StartAgent(token, "loopback-agent");
        await WaitOnlineAsync(deviceId);

        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "agent search data");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 50.0, strategy = "random", maxTrials = 2, proxyEpochs = 1, proxyFraction = 1.0,
            finalEpochs = 1, parallelism = 1, latencyDevice = $"agent:{name}",
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(4));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString() + agent.Log);
        Assert.Equal($"agent:{name}", search["latencyDevice"]!.GetValue<string>());

        var trials = (await _client.GetAsync($"/api/v1/searches/{id}/trials"))["items"]!.AsArray();
        Assert.Equal(2, trials.Count);
        foreach (var trial in trials)
        {
            Assert.Equal($"agent:{name}", trial!["latency"]!["device"]!.GetValue<string>());
            Assert.StartsWith("direct (agent, onnxruntime", trial["latency"]!["method"]!.GetValue<string>());
            Assert.True(trial["latencyMs"]!.GetValue<double>() > 0);
        }
        var model = await _client.GetAsync($"/api/v1/models/{search["modelId"]!.GetValue<Guid>()}");
        Assert.Equal($"agent:{name}", model["latency"]!["device"]!.GetValue<string>());

        await using var db = factory.Db();
        var jobs = await db.LatencyJobs.AsNoTracking().Where(j => j.SearchId == id).ToListAsync();
        Assert.True(jobs.Count >= 3, $"{jobs.Count} measurements"); // two trials and the final model at least
        Assert.All(jobs, j => Assert.Equal((LatencyJobStatus.Done, "loopback-agent", 1), (j.Status, j.LeasedBy, j.Attempts)));
        Assert.False(factory.HasBlobs("latency-jobs/"), "measured models are deleted");
        var roundTrips = jobs.Select(j => (j.FinishedAt!.Value - j.CreatedAt).TotalMilliseconds).Order().ToList();
        output.WriteLine($"agent round trip per measurement (queued to figures stored): median {roundTrips[roundTrips.Count / 2]:F0} ms, max {roundTrips[^1]:F0} ms over {jobs.Count}");
    }

    [Fact]
    public async Task AMeasurementWhoseAgentIsKilled_IsHandedToTheNextAgent()
    {
        string name = $"flaky-{Guid.NewGuid():N}"[..14];
        var (deviceId, token) = await CreateDeviceAsync(name);
        // The first agent takes the model, then holds it far longer than the lease (4 s here).
        var first = StartAgent(token, "doomed-agent", holdSeconds: 600);
        await WaitOnlineAsync(deviceId);
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "agent requeue data");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 50.0, strategy = "random", maxTrials = 1, proxyEpochs = 1, proxyFraction = 1.0,
            finalEpochs = 1, parallelism = 1, latencyDevice = $"agent:{name}",
        });
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        LatencyJob? held = null;
        for (var clock = Stopwatch.StartNew(); held is null && clock.Elapsed < TimeSpan.FromMinutes(2); await Task.Delay(200))
        {
            await using var db = factory.Db();
            held = await db.LatencyJobs.AsNoTracking().FirstOrDefaultAsync(j => j.DeviceId == deviceId && j.Status == LatencyJobStatus.Leased);
        }
        Assert.NotNull(held);
        Assert.Equal("doomed-agent", held.LeasedBy);
        first.Dispose(); // killed mid-measurement

        using var second = StartAgent(token, "rescue-agent");
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(4));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString() + second.Log);
        await using var check = factory.Db();
        var job = await check.LatencyJobs.AsNoTracking().FirstAsync(j => j.Id == held.Id);
        Assert.Equal((LatencyJobStatus.Done, "rescue-agent", 2), (job.Status, job.LeasedBy, job.Attempts));
    }

    private async Task<(Guid Id, string Token)> CreateDeviceAsync(string name)
    {
        var created = await _client.Http.PostAsJsonAsync("/api/v1/devices", new { name });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await PlatformClient.Json(created);
        var token = body["token"]!.GetValue<string>();
        Assert.StartsWith("nasd_", token);
        return (body["id"]!.GetValue<Guid>(), token);
    }

    private HttpClient AgentClient(string token)
    {
        var client = new HttpClient { BaseAddress = factory.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Device-Token", token);
        return client;
    }

    private async Task WaitOnlineAsync(Guid deviceId)
    {
        for (var clock = Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(60); await Task.Delay(200))
        {
            var devices = await _client.Http.GetFromJsonAsync<JsonArray>("/api/v1/devices");
            if (devices!.Any(d => d!["id"]!.GetValue<Guid>() == deviceId && d["online"]!.GetValue<bool>())) return;
        }
        Assert.Fail("The agent did not come online within 60 s.");
    }

    /// <summary>The agent program (its own process, as on a device), killed when disposed.</summary>
    private AgentProcess StartAgent(string token, string name, double holdSeconds = 0)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "NasPlatform.Agent.dll"));
        foreach (var a in new[] { "--url", factory.BaseAddress.ToString(), "--name", name }) start.ArgumentList.Add(a);
        start.Environment["NAS_AGENT_TOKEN"] = token;
        if (holdSeconds > 0) start.Environment["NAS_AGENT_HOLD_SECONDS"] = holdSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new AgentProcess(Process.Start(start)!, output);
    }

    private sealed class AgentProcess : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _log = new();

        public AgentProcess(Process process, ITestOutputHelper output)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is { } line) lock (_log) _log.AppendLine(line); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (_log) _log.AppendLine(line); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Log
        {
            get { lock (_log) return "\nagent log:\n" + _log; }
        }

        public void Dispose()
        {
            try { _process.Kill(entireProcessTree: true); _process.WaitForExit(10_000); } catch (InvalidOperationException) { }
            _process.Dispose();
        }
    }
}
