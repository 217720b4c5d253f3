using System.Text.Json.Nodes;
using NasPlatform.Data.Entities;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Api;

/// <summary>
/// The paged trial list against a sort done here of the same trials: every sort key, both directions, ties
/// (many equal metrics) and missing values (failed trials), page by page through the whole search.
/// </summary>
public abstract class TrialPagingTests(PlatformFactory factory)
{
    private readonly PlatformClient _client = new(factory);

    [Fact]
    public async Task EveryPage_OfEverySort_MatchesTheWholeListSortedHere()
    {
        var seeded = await factory.FinishedSearchAsync(factory.OwnerId);
        string architecture;
        await using (var db = factory.Db()) architecture = db.Trials.Single(t => t.Id == seeded.TrialId).ArchitectureJson;
        var random = new Random(5);
        var now = DateTimeOffset.UtcNow;
        var trials = Enumerable.Range(2, 86).Select(n =>
        {
            bool failed = n % 9 == 0;
            return new Trial
            {
                // Marked as reused results, so these made-up latencies stay out of the device class's latency predictor.
                Id = Guid.NewGuid(), SearchId = seeded.SearchId, Number = n, ArchitectureJson = architecture, ArchitectureHash = $"h{n}", ChoicesJson = "[]", FromCache = true,
                Status = failed ? TrialStatus.Failed : n % 13 == 0 ? TrialStatus.Running : TrialStatus.Succeeded, CreatedAt = now,
                // Few distinct values, so ties decide much of the order.
                ValidationMetric = failed ? null : random.Next(5) / 10.0, LatencyMs = failed ? null : random.Next(4),
                Reward = failed ? null : random.Next(3), Parameters = random.Next(3), Macs = random.Next(3), Seconds = failed ? null : random.Next(3),
            };
        }).ToList();
        await using (var db = factory.Db())
        {
            db.Trials.AddRange(trials);
            await db.SaveChangesAsync();
        }
        await using (var db = factory.Db()) trials = [.. db.Trials.Where(t => t.SearchId == seeded.SearchId)];

        var keys = new Dictionary<string, Func<Trial, IComparable?>>
        {
            ["number"] = t => t.Number, ["status"] = t => t.Status.ToString(), ["metric"] = t => t.ValidationMetric, ["latency"] = t => t.LatencyMs,
            ["reward"] = t => t.Reward, ["params"] = t => t.Parameters, ["macs"] = t => t.Macs, ["seconds"] = t => t.Seconds,
        };
        foreach (var (key, value) in keys)
        {
            foreach (bool desc in new[] { false, true })
            {
                var numbers = new List<int>();
                for (int page = 1; page <= 4; page++)
                {
                    var body = await _client.GetAsync($"/api/v1/searches/{seeded.SearchId}/trials?page={page}&pageSize=25&sort={key}&desc={desc}");
                    Assert.Equal(trials.Count, body["total"]!.GetValue<int>());
                    numbers.AddRange(body["items"]!.AsArray().Select(t => t!["number"]!.GetValue<int>()));
                }
                Assert.Equal(Expected(trials, value, desc), numbers);
            }
        }
    }

    /// <summary>By the key, ties by number in the key's direction; a missing value is the lowest (SQLite and the list agree: nulls first ascending).</summary>
    private static List<int> Expected(List<Trial> trials, Func<Trial, IComparable?> key, bool desc)
    {
        var sorted = trials.OrderBy(t => key(t) is null ? 0 : 1).ThenBy(key).ThenBy(t => t.Number).Select(t => t.Number).ToList();
        if (desc) sorted.Reverse();
        return sorted;
    }
}

[Collection(PlatformCollection.Name)]
public sealed class TrialPagingTestsOnSqlite(PlatformFactory factory) : TrialPagingTests(factory);
