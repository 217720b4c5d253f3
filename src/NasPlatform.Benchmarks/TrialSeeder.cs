using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Data.Sqlite;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Platform.Accounts;

namespace NasPlatform.Benchmarks;

/// <summary>The seeded search, how many of its trials succeeded (those are plotted) and a read-only token of its owner.</summary>
public sealed record SeededSearch(Guid SearchId, int Succeeded, string Token);

/// <summary>
/// Writes one finished search with many trials into a platform's SQLite database, as a long search
/// would leave them: real MnasNet architectures, a learning curve per trial, metrics and latencies
/// spread like a real search's, some failed trials.
/// </summary>
public static class TrialSeeder
{
    public static async Task<SeededSearch> SeedAsync(string dataPath, string ownerEmail, int trials)
    {
        var options = new DbContextOptionsBuilder<SqliteNasDbContext>()
            .UseSqlite($"Data Source={Path.Combine(dataPath, "nasplatform.db")}").Options;
        var factory = new Factory(options);
        await using var db = factory.CreateDbContext();
        var owner = await db.Users.SingleAsync(u => u.NormalizedEmail == ownerEmail.ToUpperInvariant());
        var now = DateTimeOffset.UtcNow;
        var dataset = new Dataset
        {
            Id = Guid.NewGuid(), OwnerId = owner.Id, Name = "fashion-mnist (seeded)", Format = "idx-zip", Status = DatasetStatus.Ready,
            Channels = 1, Height = 28, Width = 28, NumClasses = 10, ClassNames = [.. Enumerable.Range(0, 10).Select(i => $"class {i}")],
            ClassCounts = [.. Enumerable.Repeat(6000, 10)], TrainCount = 60000, TestCount = 10000, CreatedAt = now, ReadyAt = now,
        };
        var search = new Search
        {
            Id = Guid.NewGuid(), OwnerId = owner.Id, Name = $"{trials} trials (seeded)", DatasetId = dataset.Id, SearchSpace = "mnasnet",
            Strategy = "evolution", LatencyBudgetMs = 1, Constraint = "soft", TargetDevice = "cpu", MaxTrials = trials, ProxyEpochs = 3,
            ProxyFraction = 0.25, FinalEpochs = 10, Parallelism = 2, Status = SearchStatus.Succeeded, Phase = SearchPhases.Done,
            CreatedAt = now.AddHours(-30), StartedAt = now.AddHours(-30), FinishedAt = now, TrialsCompleted = trials,
        };
        db.Datasets.Add(dataset);
        db.Searches.Add(search);
        await db.SaveChangesAsync();

        var space = new MnasSearchSpace(1, 28, 28, 10);
        var random = new Random(18);
        var architectures = Enumerable.Range(0, 64).Select(_ => space.Decode(
            space.Decisions.Decisions.Select(d => random.Next(d.Cardinality)).ToList())).ToList();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        Guid best = Guid.Empty;
        int succeeded = 0;
        double bestReward = double.NegativeInfinity;
        for (int start = 1; start <= trials; start += 1000)
        {
            for (int number = start; number < Math.Min(start + 1000, trials + 1); number++)
            {
                var arch = architectures[random.Next(architectures.Count)];
                bool failed = random.NextDouble() < 0.02;
                double latency = 0.3 + 4.0 * Math.Pow(random.NextDouble(), 2);
                double metric = Math.Min(0.95, 0.80 + 0.03 * Math.Log(1 + latency * 3) + 0.02 * random.NextDouble());
                double reward = metric * Math.Pow(latency / search.LatencyBudgetMs, -0.07);
                var curve = Enumerable.Range(1, 3).Select(e => new { epoch = e, trainLoss = 1.0 / e, validationMetric = metric - 0.03 / e }).ToList();
                var trial = new Trial
                {
                    Id = Guid.NewGuid(), SearchId = search.Id, Number = number, ArchitectureJson = arch.ToJson(), ArchitectureHash = arch.Hash,
                    ChoicesJson = "[]", ProxyEpochs = 3, ProxyFraction = 0.25, CreatedAt = now.AddSeconds(-trials + number),
                    FinishedAt = now.AddSeconds(-trials + number + 10), Reported = true, Worker = "seeded:1",
                    Status = failed ? TrialStatus.Failed : TrialStatus.Succeeded, Error = failed ? "out of memory (seeded)" : null,
                    ValidationMetric = failed ? null : metric, LatencyMs = failed ? null : latency, Reward = failed ? null : reward,
                    Parameters = 100_000 + random.Next(2_000_000), Macs = 1_000_000 + random.Next(50_000_000), Seconds = 20 + 60 * random.NextDouble(),
                    HistoryJson = JsonSerializer.Serialize(curve),
                };
                if (!failed) succeeded++;
                if (!failed && reward > bestReward) (best, bestReward) = (trial.Id, reward);
                db.Trials.Add(trial);
            }
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }
        await db.Searches.Where(s => s.Id == search.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.BestTrialId, best));
        var token = await new ApiTokenService(factory, TimeProvider.System).CreateAsync(owner.Id, "views benchmark", readOnly: true, null, CancellationToken.None);
        return new SeededSearch(search.Id, succeeded, token.Secret);
    }

    private sealed class Factory(DbContextOptions<SqliteNasDbContext> options) : IDbContextFactory<NasDbContext>
    {
        public NasDbContext CreateDbContext() => new SqliteNasDbContext(options);
    }
}
