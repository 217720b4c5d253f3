using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using NasPlatform.Engine.Objectives;
using NasPlatform.Web.Tests.Infrastructure;
using NasPlatform.Web.Tests.Toy;

namespace NasPlatform.Web.Tests.Api;

public abstract class StudyTests(PlatformFactory factory)
{
    private readonly PlatformClient _client = new(factory);

    private static object Shared(Guid datasetId) => new
    {
        datasetId, latencyBudgetMs = 5.0, searchSpace = ToySpace.SpaceName, objective = ToyObjective.ObjectiveName, maxTrials = 4, finalEpochs = 1,
        parallelism = 1,
    };

    [Fact]
    public async Task TwoStrategiesByThreeSeeds_Complete_AndTheSummaryIsWhatTheirTrialsSay()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "study data");
        var response = await _client.Http.PostAsJsonAsync("/api/v1/studies", new
        {
            name = "random vs evolution", strategies = new[] { "random", "evolution" }, seeds = new[] { 1L, 2L, 3L },
            strategyOptions = new { evolution = new { populationSize = 2, sampleSize = 2 } }, search = Shared(dataset["id"]!.GetValue<Guid>()),
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await PlatformClient.Json(response);
        var studyId = accepted["id"]!.GetValue<Guid>();
        Assert.Equal(6, accepted["searches"]!.AsArray().Count);

        var study = await _client.WaitForAsync($"/api/v1/studies/{studyId}", s => s["searchesFinished"]!.GetValue<int>() == 6, TimeSpan.FromMinutes(4));
        Assert.Equal("succeeded", study["status"]!.GetValue<string>());
        Assert.Equal(10.0, study["referenceLatencyMs"]!.GetValue<double>());
        var summary = study["summary"]!.AsArray();
        Assert.Equal(["random", "evolution"], summary.Select(s => s!["strategy"]!.GetValue<string>()));

        foreach (var strategy in summary)
        {
            var runs = strategy!["runs"]!.AsArray();
            Assert.Equal([1L, 2L, 3L], runs.Select(r => r!["seed"]!.GetValue<long>()));
            var bestRewards = new List<double>();
            var hypervolumes = new List<double>();
            var testMetrics = new List<double>();
            var byTrial = new List<double?[]>();
            foreach (var run in runs)
            {
                var searchId = run!["searchId"]!.GetValue<Guid>();
                var search = await _client.GetAsync($"/api/v1/searches/{searchId}");
                Assert.Equal(strategy["strategy"]!.GetValue<string>(), search["strategy"]!.GetValue<string>());
                Assert.Equal(run["seed"]!.GetValue<long>(), search["seed"]!.GetValue<long>());
                Assert.Equal(studyId, search["studyId"]!.GetValue<Guid>());
                var trials = (await _client.GetAsync($"/api/v1/searches/{searchId}/trials?pageSize=500"))["items"]!.AsArray()
                    .Where(t => t!["status"]!.GetValue<string>() == "succeeded").OrderBy(t => t!["number"]!.GetValue<int>()).ToList();
                Assert.Equal(4, trials.Count);
                var rewards = trials.Select(t => t!["reward"]!.GetValue<double>()).ToList();
                Assert.Equal(rewards.Max(), run["bestReward"]!.GetValue<double>(), 12);
                var expectedCurve = rewards.Select((_, k) => (double?)rewards.Take(k + 1).Max()).ToArray();
                Assert.Equal(expectedCurve, run["bestRewardByTrial"]!.AsArray().Select(v => v?.GetValue<double?>()).ToArray());
                double hv = Hypervolume.Of(trials.Select(t => new TradeOffPoint(t!["validationMetric"]!.GetValue<double>(), t["latencyMs"]!.GetValue<double>())).ToList(), 0, 10);
                Assert.Equal(hv, run["hypervolume"]!.GetValue<double>(), 12);
                var model = await _client.GetAsync($"/api/v1/models/{search["modelId"]!.GetValue<Guid>()}");
                Assert.Equal(model["testMetric"]!.GetValue<double>(), run["testMetric"]!.GetValue<double>(), 12);
                bestRewards.Add(rewards.Max());
                hypervolumes.Add(hv);
                testMetrics.Add(model["testMetric"]!.GetValue<double>());
                byTrial.Add(expectedCurve);
            }
            AssertStat(bestRewards, strategy["bestReward"]!);
            AssertStat(hypervolumes, strategy["hypervolume"]!);
            AssertStat(testMetrics, strategy["testMetric"]!);
            var curve = strategy["bestRewardByTrial"]!.AsArray();
            Assert.Equal(4, curve.Count);
            for (int k = 0; k < 4; k++)
            {
                var atK = byTrial.Select(c => c[k]!.Value).Order().ToList();
                Assert.Equal(k + 1, curve[k]!["x"]!.GetValue<double>());
                Assert.Equal(atK[1], curve[k]!["median"]!.GetValue<double>(), 12);
                Assert.Equal(atK[0], curve[k]!["low"]!.GetValue<double>(), 12);
                Assert.Equal(atK[2], curve[k]!["high"]!.GetValue<double>(), 12);
            }
            // Compute-time curve: never decreasing, ending at the best of the best.
            var byTime = strategy["bestRewardByComputeSeconds"]!.AsArray().Select(p => p!["median"]!.GetValue<double>()).ToList();
            Assert.NotEmpty(byTime);
            Assert.Equal(byTime.Order(), byTime);
            Assert.NotEmpty(strategy["paretoFront"]!.AsArray());
        }
        Assert.Contains((await _client.Http.GetFromJsonAsync<JsonArray>("/api/v1/studies"))!, s => s!["id"]!.GetValue<Guid>() == studyId);
    }

    [Fact]
    public async Task ABadStudy_IsRefusedByField_AndStartsNoSearchAtAll()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "study data");
        await using (var db = factory.Db())
        {
            int before = await db.Searches.CountAsync(), studiesBefore = await db.Studies.CountAsync();
            var tooFewSeeds = await _client.Http.PostAsJsonAsync("/api/v1/studies",
                new { strategies = new[] { "random" }, seeds = new[] { 1L, 2L }, search = Shared(dataset["id"]!.GetValue<Guid>()) });
            Assert.NotNull((await PlatformClient.AssertProblemAsync(tooFewSeeds, 400, "seeds"))["errors"]!["seeds"]);
            // The second strategy's options are invalid: the first strategy's valid searches are not started either.
            var badOptions = await _client.Http.PostAsJsonAsync("/api/v1/studies", new
            {
                strategies = new[] { "random", "evolution" }, strategyOptions = new { evolution = new { populationSize = -3 } },
                search = Shared(dataset["id"]!.GetValue<Guid>()),
            });
            await PlatformClient.AssertProblemAsync(badOptions, 400, "evolution");
            var unknown = await _client.Http.PostAsJsonAsync("/api/v1/studies",
                new { strategies = new[] { "random", "no-such-strategy" }, search = Shared(dataset["id"]!.GetValue<Guid>()) });
            await PlatformClient.AssertProblemAsync(unknown, 400, "no-such-strategy");
            Assert.Equal(before, await db.Searches.CountAsync());
            Assert.Equal(studiesBefore, await db.Studies.CountAsync());
        }
        var (_, otherToken) = await factory.CreateUserWithTokenAsync($"study-{Guid.NewGuid():N}@tests.local");
        var created = await _client.Http.PostAsJsonAsync("/api/v1/studies",
            new { strategies = new[] { "random" }, search = Shared(dataset["id"]!.GetValue<Guid>()) });
        var id = (await PlatformClient.Json(created))["id"]!.GetValue<Guid>();
        Assert.Equal(HttpStatusCode.NotFound, (await factory.ApiAs(otherToken).GetAsync($"/api/v1/studies/{id}")).StatusCode);
        await _client.WaitForAsync($"/api/v1/studies/{id}", s => s["searchesFinished"]!.GetValue<int>() == 3, TimeSpan.FromMinutes(3));
    }

    private static void AssertStat(List<double> values, JsonNode stat)
    {
        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        Assert.Equal(mean, stat["mean"]!.GetValue<double>(), 12);
        Assert.Equal(std, stat["std"]!.GetValue<double>(), 12);
        Assert.Equal(values.Count, stat["runs"]!.GetValue<int>());
    }
}

[Collection(PlatformCollection.Name)]
public sealed class StudyTestsOnSqlite(PlatformFactory factory) : StudyTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class StudyTestsOnPostgres(PostgresPlatformFactory factory) : StudyTests(factory);
