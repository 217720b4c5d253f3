using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Engine.Training;
using NasPlatform.Web.Tests.Infrastructure;
using NasPlatform.Web.Tests.Toy;

namespace NasPlatform.Web.Tests.Platform;

/// <summary>
/// The one-pipeline promises: a space and an objective registered by this test project alone run a
/// search end to end, a search's stored parts and options are the ones used, and the CLI's loop and
/// the platform's jobs propose and score the same trials.
/// </summary>
public abstract class PluggablePartsTests(PlatformFactory factory)
{
    private readonly PlatformClient _client = new(factory);

    private static object ToySearch(Guid datasetId, int trials) => new
    {
        datasetId, latencyBudgetMs = 5.0, searchSpace = ToySpace.SpaceName, spaceOptions = new { widths = new[] { 4, 8 } },
        objective = ToyObjective.ObjectiveName, strategy = "evolution", strategyOptions = new { populationSize = 3, sampleSize = 2 },
        maxTrials = trials, finalEpochs = 1, parallelism = 1, seed = 5,
    };

    private async Task<(Guid Id, JsonObject Search)> RunToySearchAsync(int trials)
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "toy data");
        var response = await _client.StartSearchAsync(ToySearch(dataset["id"]!.GetValue<Guid>(), trials));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
        return (id, search);
    }

    private async Task<JsonArray> TrialsAsync(Guid id) => (await _client.GetAsync($"/api/v1/searches/{id}/trials?pageSize=500"))["items"]!.AsArray();

    [Fact]
    public async Task ASpaceAndAnObjectiveOfTheTestsOnly_SearchThroughTheApi_ToADownloadableModel()
    {
        var (id, search) = await RunToySearchAsync(trials: 5);

        // What the search was started with is stored, defaults filled in, and shown back.
        Assert.Equal("toy", search["searchSpace"]!.GetValue<string>());
        Assert.Equal([4, 8], search["spaceOptions"]!["widths"]!.AsArray().Select(w => w!.GetValue<int>()));
        Assert.Equal("toy-x10", search["objective"]!.GetValue<string>());
        Assert.Equal("accuracy", search["metric"]!.GetValue<string>());
        Assert.Equal(3, search["strategyOptions"]!["populationSize"]!.GetValue<int>());
        Assert.Equal(2, search["strategyOptions"]!["sampleSize"]!.GetValue<int>());
        Assert.Equal(new StrategyOptions().HiddenSize, search["strategyOptions"]!["hiddenSize"]!.GetValue<int>());

        // ...and is what ran: toy architectures of the given widths, rewards from the toy objective.
        var trials = await TrialsAsync(id);
        Assert.Equal(5, trials.Count);
        foreach (var t in trials)
        {
            Assert.Equal("toy", t!["architecture"]!["space"]!.GetValue<string>());
            Assert.Contains(t["architecture"]!["width"]!.GetValue<int>(), new[] { 4, 8 });
            Assert.Equal(10 * t["validationMetric"]!.GetValue<double>(), t["reward"]!.GetValue<double>(), 9);
            Assert.Equal(10, t["rewardTerms"]!["scale"]!.GetValue<double>());
        }

        var modelId = search["modelId"]!.GetValue<Guid>();
        var model = await _client.GetAsync($"/api/v1/models/{modelId}");
        Assert.Equal("toy", model["searchSpace"]!.GetValue<string>());
        Assert.Equal(10 * model["testMetric"]!.GetValue<double>(), model["reward"]!.GetValue<double>(), 9);
        var download = await _client.Http.GetAsync($"/api/v1/models/{modelId}/download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        using var zip = new ZipArchive(new MemoryStream(await download.Content.ReadAsByteArrayAsync()));
        using (var reader = new StreamReader(zip.GetEntry("architecture.json")!.Open()))
            Assert.Equal("toy", JsonNode.Parse(await reader.ReadToEndAsync())!["space"]!.GetValue<string>());
        Assert.True(zip.GetEntry("model.bin")!.Length > 100);
    }

    [Fact]
    public async Task WithTheMedianRule_TrialsBelowTheMedianCurveOfFinishedOnes_StopEarly_AndSaySo()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "toy data");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 5.0, searchSpace = ToySpace.SpaceName, strategy = "random",
            maxTrials = 10, proxyEpochs = 3, finalEpochs = 1, parallelism = 1, seed = 3, earlyStopping = "median",
        });
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
        Assert.Equal("median", search["earlyStopping"]!.GetValue<string>());

        var trials = (await TrialsAsync(id)).Where(t => !t!["fromCache"]!.GetValue<bool>()).OrderBy(t => t!["number"]!.GetValue<int>()).ToList();
        var finished = new List<double>(); // the final metrics of trials that trained to the end, in order
        int stopped = 0;
        foreach (var t in trials)
        {
            double metric = t!["validationMetric"]!.GetValue<double>();
            var history = t["history"]!.AsArray();
            if (t["stoppedAtEpoch"] is { } at)
            {
                // The toy curve rises linearly, so the rule stops after epoch 1 exactly those under the median of finished trials.
                stopped++;
                Assert.Equal(1, at.GetValue<int>());
                Assert.Single(history);
                Assert.True(finished.Count >= MedianStopping.MinCompleted);
                var sorted = finished.Order().ToList();
                double median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
                Assert.True(3 * metric < median, $"trial {t["number"]}: {3 * metric} at the end would not be under the median {median}");
            }
            else
            {
                Assert.Equal(3, history.Count);
                finished.Add(metric);
            }
        }
        Assert.True(stopped > 0, "no trial was stopped early");
    }

    [Fact]
    public async Task TheCliLoopAndThePlatformJobs_ProposeAndScoreTheSameTrials()
    {
        const int trials = 9;
        var (id, _) = await RunToySearchAsync(trials);
        var platform = (await TrialsAsync(id)).OrderBy(t => t!["number"]!.GetValue<int>())
            .Select(t => (t!["architectureHash"]!.GetValue<string>(), t["reward"]!.GetValue<double>(), t["fromCache"]!.GetValue<bool>())).ToList();

        // The CLI's loop on the same data, parts, options and seed, with the same (deterministic) measurements.
        var catalog = new SearchCatalog(SearchCatalog.BuiltInSpaces.Append(new ToySpace()), StrategyDefinition.BuiltIn,
            SearchCatalog.BuiltInObjectives.Append(new ToyObjective()), SearchCatalog.BuiltInTasks, SearchCatalog.BuiltInOneShot);
        var options = new SearchOptions
        {
            LatencyBudgetMs = 5, Space = ToySpace.SpaceName, SpaceOptions = JsonSerializer.SerializeToElement(new { widths = new[] { 4, 8 } }),
            Objective = ToyObjective.ObjectiveName, Strategy = "evolution", StrategyOptions = new StrategyOptions { PopulationSize = 3, SampleSize = 2 },
            MaxTrials = trials, FinalEpochs = 1, Seed = 5, Threads = 1, Training = new TrainingOptions { BatchSize = 32 },
            Latency = new LatencyOptions { WarmupRuns = 1, TimedRuns = 3 },
        };
        var data = new DatasetBundle(TinyImages.Make(150, 3, 1, 16, 1), TinyImages.Make(45, 3, 1, 16, 2), "idx");
        var result = new SearchRunner(data, options, estimator: new ToyEstimatorFactory.Estimator(new NoEstimator()), catalog: catalog).Run();
        result.Final.Network.Dispose();
        var cli = result.Trials.Select(t => (t.ArchitectureHash, t.Reward, t.FromCache)).ToList();

        Assert.Equal(cli, platform);
        Assert.Contains(cli, t => t.FromCache); // the space is small: repeats were de-duplicated the same way
    }

    private sealed class NoEstimator : IPerformanceEstimator
    {
        public TrialMeasurement Estimate(Candidate candidate, long seed, Action<EpochReport>? onEpoch, CancellationToken ct) =>
            throw new InvalidOperationException("Only toy architectures are expected here.");
    }

    [Fact]
    public async Task BadComponentOptions_AreValidationProblemsNamingTheField()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(train: 30, test: 9), "options data");
        var datasetId = dataset["id"]!.GetValue<Guid>();
        var badSpace = await _client.StartSearchAsync(new { datasetId, latencyBudgetMs = 5, spaceOptions = new { widthScale = 9 } });
        Assert.NotNull((await PlatformClient.AssertProblemAsync(badSpace, 400, "widthScale"))["errors"]!["spaceOptions"]);
        var typo = await _client.StartSearchAsync(new { datasetId, latencyBudgetMs = 5, strategyOptions = new { populaton = 3 } });
        Assert.NotNull((await PlatformClient.AssertProblemAsync(typo, 400, "has no option"))["errors"]!["strategyOptions"]);
        var invalid = await _client.StartSearchAsync(new { datasetId, latencyBudgetMs = 5, strategyOptions = new { populationSize = 0 } });
        await PlatformClient.AssertProblemAsync(invalid, 400, "PopulationSize must be");
        var objective = await _client.StartSearchAsync(new { datasetId, latencyBudgetMs = 5, objective = "accuracy-only" });
        Assert.NotNull((await PlatformClient.AssertProblemAsync(objective, 400, "accuracy-only"))["errors"]!["objective"]);
        var spaces = await _client.StartSearchAsync(new { datasetId, latencyBudgetMs = 5, searchSpace = "toy", spaceOptions = new { widths = Array.Empty<int>() } });
        await PlatformClient.AssertProblemAsync(spaces, 400, "widths must be positive");
    }
}

[Collection(PlatformCollection.Name)]
public sealed class PluggablePartsTestsOnSqlite(PlatformFactory factory) : PluggablePartsTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class PluggablePartsTestsOnPostgres(PostgresPlatformFactory factory) : PluggablePartsTests(factory);
