using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NasPlatform.Ctl;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Ctl;

/// <summary>nasctl against the running test server over real HTTP, as a CI pipeline uses it.</summary>
[Collection(PlatformCollection.Name)]
public sealed class NasctlTests(PlatformFactory factory) : IDisposable
{
    private readonly string _files = Directory.CreateTempSubdirectory("nasctl-").FullName;

    private sealed record Run(int Exit, string Out, string Err);

    private async Task<Run> NasctlAsync(string? token, params string[] args)
    {
        var env = new Dictionary<string, string?>
        {
            [NasctlApp.UrlVariable] = factory.BaseAddress.ToString(), [NasctlApp.TokenVariable] = token, [NasctlApp.PollVariable] = "0.2",
        };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await NasctlApp.RunAsync(args, env, stdout, stderr);
        return new Run(exit, stdout.ToString(), stderr.ToString());
    }

    private async Task<string> UploadTinyAsync()
    {
        var zip = Path.Combine(_files, "tiny.zip");
        await File.WriteAllBytesAsync(zip, TestZips.TinyIdx());
        var run = await NasctlAsync(factory.OwnerToken, "datasets", "upload", zip, "--name", "from nasctl", "--wait", "--json");
        Assert.True(run.Exit == 0, run.Err);
        var dataset = JsonNode.Parse(run.Out)!;
        Assert.Equal("ready", dataset["status"]!.GetValue<string>());
        Assert.Equal("from nasctl", dataset["name"]!.GetValue<string>());
        return dataset["id"]!.GetValue<string>();
    }

    private static string[] TinySearch(string datasetId, params string[] more) => TinySearchAt(datasetId, "50", more);

    private static string[] TinySearchAt(string datasetId, string latencyMs, params string[] more) =>
    [
        "searches", "start", "--dataset", datasetId, "--latency-ms", latencyMs, "--strategy", "random", "--max-trials", "2", "--proxy-epochs", "1",
        "--proxy-fraction", "1", "--final-epochs", "1", "--seed", "3", "--wait", .. more,
    ];

    [Fact]
    public async Task UploadWait_StartWait_Show_AndDownload_Succeed()
    {
        string datasetId = await UploadTinyAsync();

        var run = await NasctlAsync(factory.OwnerToken, TinySearch(datasetId, "--min-accuracy", "0", "--max-latency-ms", "100000",
            "--space", "resnet", "--early-stopping", "median", "--prior", "irlas", "--prior-weight", "0.05", "--prior-expert", "resnet20-0.5x"));
        Assert.True(run.Exit == 0, run.Out + run.Err);
        Assert.Contains("trial 1/2", run.Out);
        Assert.Contains("trial 2/2", run.Out);
        Assert.Contains("succeeded", run.Out);
        Assert.Contains("passed", run.Out + run.Err);

        await using var db = factory.Db();
        var search = db.Searches.OrderByDescending(s => s.CreatedAt).First(s => s.DatasetId == Guid.Parse(datasetId));
        Assert.Equal(factory.OwnerId, search.OwnerId);
        Assert.Equal("resnet", search.SearchSpace);
        Assert.Equal("median", search.EarlyStopping);
        Assert.Equal(("irlas", 0.05, "resnet20-0.5x"), (search.Prior, search.PriorWeight, search.PriorExpert));

        var show = await NasctlAsync(factory.OwnerToken, "searches", "show", search.Id.ToString(), "--json");
        Assert.Equal(0, show.Exit);
        Assert.Equal("succeeded", JsonNode.Parse(show.Out)!["status"]!.GetValue<string>());

        var file = Path.Combine(_files, "model.zip");
        var download = await NasctlAsync(factory.OwnerToken, "models", "download", search.ModelId!.Value.ToString(), "--out", file);
        Assert.True(download.Exit == 0, download.Err);
        using var zip = ZipFile.OpenRead(file);
        Assert.NotNull(zip.GetEntry("model.bin"));
        Assert.NotNull(zip.GetEntry("model-card.md"));

        // The ONNX file alone, into a folder under the server's file name.
        var folder = Path.Combine(_files, "onnx") + "/";
        var onnx = await NasctlAsync(factory.OwnerToken, "models", "download", search.ModelId!.Value.ToString(), "--format", "onnx", "--out", folder);
        Assert.True(onnx.Exit == 0, onnx.Err);
        var saved = Assert.Single(Directory.GetFiles(folder));
        Assert.EndsWith(".onnx", saved);
        Assert.Equal(zip.GetEntry("model.onnx")!.Length, new FileInfo(saved).Length);
        var wrong = await NasctlAsync(factory.OwnerToken, "models", "download", search.ModelId!.Value.ToString(), "--format", "tar", "--out", file);
        Assert.Equal(ExitCodes.Usage, wrong.Exit);
        Assert.Contains("--format must be zip or onnx", wrong.Err);
    }

    [Fact]
    public async Task AHardBudgetNoArchitectureKeeps_EndsOverBudget_WithItsOwnExitCode_AndTheModelSaysSo()
    {
        string datasetId = await UploadTinyAsync();
        var run = await NasctlAsync(factory.OwnerToken, TinySearchAt(datasetId, "0.01", "--constraint", "hard", "--json"));
        Assert.True(run.Exit == ExitCodes.OverBudget, run.Out + run.Err);
        Assert.Contains("over budget", run.Err);
        var verdict = JsonNode.Parse(run.Out)!;
        Assert.False(verdict["passed"]!.GetValue<bool>());
        Assert.Equal("succeeded", verdict["search"]!["status"]!.GetValue<string>());
        Assert.Equal("over-budget", verdict["search"]!["outcome"]!.GetValue<string>());
        var budget = verdict["model"]!["budget"]!;
        Assert.False(budget["met"]!.GetValue<bool>());
        Assert.Equal(0.01, budget["budgetMs"]!.GetValue<double>());
        // The recipe the final model was trained by is part of the model.
        Assert.Equal(1, verdict["model"]!["recipe"]!["epochs"]!.GetValue<int>());
    }

    [Fact]
    public async Task MissedLatencyGate_FailsTheBuild_WithAJsonVerdict()
    {
        string datasetId = await UploadTinyAsync();
        var run = await NasctlAsync(factory.OwnerToken, TinySearch(datasetId, "--max-latency-ms", "0.0001", "--json"));
        Assert.Equal(ExitCodes.Failed, run.Exit);
        Assert.Contains("max-latency-ms", run.Err);
        var verdict = JsonNode.Parse(run.Out)!; // stdout stays machine-readable: one document
        Assert.False(verdict["passed"]!.GetValue<bool>());
        Assert.Equal("succeeded", verdict["search"]!["status"]!.GetValue<string>());
        Assert.Contains(verdict["gates"]!.AsArray(), g => g!["name"]!.GetValue<string>() == "max-latency-ms" && !g["passed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task StudiesStart_RunsEveryStrategyAndSeed_AndPrintsTheSummary()
    {
        string datasetId = await UploadTinyAsync();
        var usage = await NasctlAsync(factory.OwnerToken, "studies", "start", "--dataset", datasetId, "--latency-ms", "5", "--strategies", "random", "--strategy", "random");
        Assert.Equal(ExitCodes.Usage, usage.Exit);

        var run = await NasctlAsync(factory.OwnerToken, "studies", "start", "--dataset", datasetId, "--latency-ms", "5", "--space", "toy",
            "--strategies", "random, evolution", "--seeds", "4,5,6", "--max-trials", "2", "--final-epochs", "1", "--parallelism", "1", "--name", "ctl study", "--wait");
        Assert.True(run.Exit == 0, run.Err + run.Out);
        Assert.Contains("ctl study", run.Out);
        Assert.Contains("6 of 6 searches finished", run.Out);
        Assert.Matches(@"random\s+\d\.\d{4} ± \d\.\d{4}", run.Out);
        Assert.Matches(@"evolution\s+\d\.\d{4} ± \d\.\d{4}", run.Out);
        string id = run.Out.Split(' ', 3)[1];
        var shown = JsonNode.Parse((await NasctlAsync(factory.OwnerToken, "studies", "show", id, "--json")).Out)!;
        Assert.Equal([4L, 5L, 6L], shown["seeds"]!.AsArray().Select(s => s!.GetValue<long>()));
        Assert.Equal("succeeded", shown["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Webhooks_AreAdded_Listed_ShowTheirDeliveries_AndAreDeleted()
    {
        var (userId, token) = await factory.CreateUserWithTokenAsync($"ctl-hooks-{Guid.NewGuid():N}@tests.local");
        await using var receiver = await WebhookReceiver.StartAsync(_ => 204);
        var bad = await NasctlAsync(token, "webhooks", "add", receiver.Url, "--events", "search.exploded");
        Assert.Equal(ExitCodes.Api, bad.Exit);
        Assert.Contains("search.exploded", bad.Err);

        var added = await NasctlAsync(token, "webhooks", "add", receiver.Url, "--events", "search.succeeded, search.failed", "--json");
        Assert.True(added.Exit == 0, added.Err);
        var hook = JsonNode.Parse(added.Out)!;
        string id = hook["id"]!.GetValue<string>();
        Assert.Equal(["search.succeeded", "search.failed"], hook["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.StartsWith("whsec_", hook["secret"]!.GetValue<string>());

        var list = await NasctlAsync(token, "webhooks", "list");
        Assert.Contains(id, list.Out);
        Assert.Contains("search.succeeded,search.failed", list.Out);

        await factory.Services.GetRequiredService<NasPlatform.Platform.Webhooks.WebhookService>()
            .RecordAsync(userId, "search.succeeded", "search.succeeded:nasctl", d => $"{{\"id\":\"{d}\"}}", CancellationToken.None);
        var deliveries = await NasctlAsync(token, "webhooks", "deliveries", id);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!deliveries.Out.Contains("delivered") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            deliveries = await NasctlAsync(token, "webhooks", "deliveries", id);
        }
        Assert.Contains("search.succeeded", deliveries.Out);
        Assert.Contains("delivered", deliveries.Out);
        Assert.Contains("204", deliveries.Out);

        var deleted = await NasctlAsync(token, "webhooks", "delete", id);
        Assert.True(deleted.Exit == 0, deleted.Err);
        Assert.Equal("no webhooks", (await NasctlAsync(token, "webhooks", "list")).Out.Trim());
        Assert.Equal(ExitCodes.Api, (await NasctlAsync(token, "webhooks", "delete", id)).Exit);
    }

    [Fact]
    public async Task TheObjectiveAndItsOptions_ReachTheServer_AndBadJsonIsAUsageError()
    {
        var seeded = await factory.FinishedSearchAsync(factory.OwnerId);
        var badJson = await NasctlAsync(factory.OwnerToken, "searches", "start", "--dataset", seeded.DatasetId.ToString(), "--latency-ms", "5",
            "--objective", "throughput", "--objective-options", "{batchSize");
        Assert.Equal(ExitCodes.Usage, badJson.Exit);
        Assert.Contains("--objective-options", badJson.Err);
        var refused = await NasctlAsync(factory.OwnerToken, "searches", "start", "--dataset", seeded.DatasetId.ToString(), "--latency-ms", "5",
            "--objective", "throughput", "--objective-options", "{\"batchSize\": 0}");
        Assert.Equal(ExitCodes.Api, refused.Exit);
        Assert.Contains("batchSize", refused.Err);
    }

    [Fact]
    public async Task Devices_AreAdded_Listed_NamedBySearches_AndDeleted()
    {
        var (_, token) = await factory.CreateUserWithTokenAsync($"ctl-devices-{Guid.NewGuid():N}@tests.local");
        var bad = await NasctlAsync(token, "devices", "add", "No Spaces Allowed");
        Assert.Equal(ExitCodes.Api, bad.Exit);
        Assert.Contains("device name", bad.Err);

        var added = await NasctlAsync(token, "devices", "add", "pi5", "--json");
        Assert.True(added.Exit == 0, added.Err);
        var device = JsonNode.Parse(added.Out)!;
        string id = device["id"]!.GetValue<string>();
        Assert.Equal("agent:pi5", device["target"]!.GetValue<string>());
        Assert.StartsWith("nasd_", device["token"]!.GetValue<string>());
        var text = await NasctlAsync(token, "devices", "add", "jetson");
        Assert.Contains("NAS_AGENT_TOKEN=nasd_", text.Out);

        var list = await NasctlAsync(token, "devices", "list");
        Assert.Contains("agent:pi5", list.Out);
        Assert.Contains("offline", list.Out);

        // A search naming a device the user does not have is refused by field.
        var refused = await NasctlAsync(token, "searches", "start", "--dataset", Guid.NewGuid().ToString(), "--latency-ms", "5", "--latency-device", "pi5");
        Assert.Equal(ExitCodes.Api, refused.Exit);
        Assert.Contains("agent:NAME", refused.Err);

        Assert.True((await NasctlAsync(token, "devices", "delete", id)).Exit == 0);
        Assert.DoesNotContain("agent:pi5", (await NasctlAsync(token, "devices", "list")).Out);
    }

    [Fact]
    public async Task ReadOnlyToken_CannotStartSearches_AndOtherUsersIdsAreNotFound()
    {
        var seeded = await factory.FinishedSearchAsync(factory.OwnerId);
        var readOnly = await NasctlAsync(await factory.CreateTokenAsync(factory.OwnerId, readOnly: true),
            "searches", "start", "--dataset", seeded.DatasetId.ToString(), "--latency-ms", "5");
        Assert.Equal(ExitCodes.Authentication, readOnly.Exit);
        Assert.Contains("read-only", readOnly.Err);

        var (_, other) = await factory.CreateUserWithTokenAsync($"ctl-{Guid.NewGuid():N}@tests.local");
        var foreign = await NasctlAsync(other, "searches", "show", seeded.SearchId.ToString());
        Assert.Equal(ExitCodes.Api, foreign.Exit);
        Assert.Contains("does not exist", foreign.Err);
    }

    [Fact]
    public async Task TheInstalledProgram_ExitsNonZero_OnABadToken_AndOnUsageErrors()
    {
        // The real executable, not the in-process entry point: what a pipeline step sees.
        string dll = Path.Combine(AppContext.BaseDirectory, "nasctl.dll");
        Assert.True(File.Exists(dll), dll);
        async Task<int> RunProcessAsync(string? token, params string[] args)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(dll);
            foreach (var a in args) start.ArgumentList.Add(a);
            start.Environment[NasctlApp.UrlVariable] = factory.BaseAddress.ToString();
            if (token is null) start.Environment.Remove(NasctlApp.TokenVariable);
            else start.Environment[NasctlApp.TokenVariable] = token;
            using var process = Process.Start(start)!;
            await Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
            await process.WaitForExitAsync();
            return process.ExitCode;
        }
        Assert.Equal(ExitCodes.Authentication, await RunProcessAsync("nas_revoked-or-made-up", "datasets", "list"));
        Assert.Equal(ExitCodes.Usage, await RunProcessAsync(null, "datasets", "list"));
        Assert.Equal(ExitCodes.Usage, await RunProcessAsync(factory.OwnerToken, "searches", "start", "--latency-ms", "5"));
        Assert.Equal(ExitCodes.Success, await RunProcessAsync(factory.OwnerToken, "datasets", "list"));
    }

    public void Dispose() => Directory.Delete(_files, recursive: true);
}
