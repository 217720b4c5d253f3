using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Ops;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Tasks;
using NasPlatform.Platform.Searches;
using NasPlatform.Web.Tests.Infrastructure;
using NasPlatform.Web.Tests.Toy;

namespace NasPlatform.Web.Tests.Platform;

/// <summary>
/// The coordinator's step reads only the new results plus counts and indexed look-ups, not every trial;
/// these checks pin what it still has to get right from those queries: known results found by hash,
/// the counts, and the best trial under a hard budget among trials it never loaded.
/// </summary>
public abstract class CoordinatorStepTests(PlatformFactory factory)
{
    private readonly PlatformClient _client = new(factory);

    [Fact]
    public async Task AStepOverStoredTrials_FindsKnownResultsByHash_CountsThem_AndPicksTheBestWithinTheHardBudget()
    {
        var datasetJson = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "coordinator data");
        var datasetId = datasetJson["id"]!.GetValue<Guid>();
        Guid searchId = Guid.NewGuid(), expectedBest = Guid.Empty;
        var now = DateTimeOffset.UtcNow;
        await using (var db = factory.Db())
        {
            var dataset = await db.Datasets.SingleAsync(d => d.Id == datasetId);
            db.Searches.Add(new Search
            {
                Id = searchId, OwnerId = dataset.OwnerId, Name = "stored trials", DatasetId = datasetId, SearchSpace = ToySpace.SpaceName, Strategy = "random",
                Objective = ToyObjective.ObjectiveName, LatencyBudgetMs = 5, Constraint = "hard", TargetDevice = "cpu", MaxTrials = 14, ProxyEpochs = 1,
                ProxyFraction = 1, FinalEpochs = 1, BatchSize = 8, Parallelism = 1, Seed = 5, Status = SearchStatus.Running, Phase = SearchPhases.Trials,
                CreatedAt = now, StartedAt = now,
            });
            // Every architecture of the toy space, already trained and reported: whatever is proposed next is known.
            var space = new ToySearchSpace(new SpaceInput(new FeatureShape(dataset.Channels, dataset.Height, dataset.Width), new TaskOutput(dataset.NumClasses)), [4, 8, 12, 16]);
            int number = 0;
            for (int w = 0; w < 4; w++)
            for (int d = 0; d < 3; d++)
            {
                var arch = (ToyArchitecture)space.Decode([w, d]);
                // The widest, deepest net has the best reward but misses the budget; the best within it is the widest at depth 2.
                double latency = w == 3 && d == 2 ? 50 : 1 + w;
                double reward = 0.1 * (w + 1) + 0.01 * d;
                var trial = new Trial
                {
                    Id = Guid.NewGuid(), SearchId = searchId, Number = ++number, ArchitectureJson = arch.ToJson(), ArchitectureHash = arch.Hash,
                    ChoicesJson = JsonSerializer.Serialize(new[] { w, d }), Status = TrialStatus.Succeeded, Reported = true,
                    ValidationMetric = reward, Reward = reward, LatencyMs = latency, Parameters = 100 * (w + 1), Macs = 1000,
                    LatencyJson = JsonSerializer.Serialize(new LatencyStats(latency, latency, latency, latency, latency, latency, 3, 1, 1, "cpu")),
                    RewardTermsJson = "{}", CreatedAt = now, StartedAt = now, FinishedAt = now, Seconds = 1,
                };
                if (w == 3 && d == 1) expectedBest = trial.Id;
                db.Trials.Add(trial);
            }
            await db.SaveChangesAsync();
        }

        var coordinator = ActivatorUtilities.CreateInstance<SearchCoordinator>(factory.Services);
        await coordinator.AdvanceAsync(searchId, CancellationToken.None);

        await using (var db = factory.Db())
        {
            var search = await db.Searches.AsNoTracking().SingleAsync(s => s.Id == searchId);
            var added = await db.Trials.AsNoTracking().Where(t => t.SearchId == searchId && t.Number > 12).OrderBy(t => t.Number).ToListAsync();
            Assert.Equal(2, added.Count);
            foreach (var t in added)
            {
                Assert.True(t.FromCache, $"trial {t.Number} should reuse the stored result of its architecture");
                var stored = await db.Trials.AsNoTracking().SingleAsync(s => s.SearchId == searchId && s.Number <= 12 && s.ArchitectureHash == t.ArchitectureHash);
                Assert.Equal(stored.Reward, t.Reward);
            }
            Assert.Equal(14, search.TrialsCompleted);
            Assert.Equal(expectedBest, search.BestTrialId);
            // The final job may already have started (or ended) on the in-process worker.
            Assert.Contains(search.Phase, new[] { SearchPhases.Final, SearchPhases.Done });
        }
    }

    [Fact]
    public async Task AProposalOfAnArchitectureStillTraining_WaitsForItsResult_InsteadOfTrainingItAgain()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "duplicate data");
        // Three architectures and four trials at once: at least one proposal repeats a trial in flight.
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 5.0, searchSpace = ToySpace.SpaceName, spaceOptions = new { widths = new[] { 8 } },
            objective = ToyObjective.ObjectiveName, strategy = "random", maxTrials = 8, parallelism = 4, finalEpochs = 1, seed = 6,
        });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(3));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());

        await using var db = factory.Db();
        var trials = await db.Trials.AsNoTracking().Where(t => t.SearchId == id).ToListAsync();
        Assert.Equal(8, trials.Count);
        Assert.All(trials, t => Assert.Equal(TrialStatus.Succeeded, t.Status));
        var duplicates = trials.Where(t => t.DuplicateOf is not null).ToList();
        Assert.NotEmpty(duplicates);
        // Each architecture was trained once; every other trial of it took that trial's result.
        Assert.All(trials.Where(t => !t.FromCache).GroupBy(t => t.ArchitectureHash), g => Assert.Single(g));
        foreach (var d in duplicates)
        {
            var twin = trials.Single(t => t.Id == d.DuplicateOf);
            Assert.Equal(twin.ArchitectureHash, d.ArchitectureHash);
            Assert.Equal(twin.Reward, d.Reward);
            Assert.True(d.FromCache);
            Assert.Null(d.JobId);
        }
    }
}

[Collection(PlatformCollection.Name)]
public sealed class CoordinatorStepTestsOnSqlite(PlatformFactory factory) : CoordinatorStepTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class CoordinatorStepTestsOnPostgres(PostgresPlatformFactory factory) : CoordinatorStepTests(factory);
