using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Searches;

namespace NasPlatform.Platform.Studies;

/// <summary>
/// Body of POST /api/v1/studies: the strategies to compare, the seeds each runs with, and the search
/// settings they all share (dataset, device, latency budget, trial and time budget, training lengths).
/// The shared settings' strategy, strategy options, seed and name are the study's to set.
/// </summary>
public sealed record StudyRequest
{
    public string? Name { get; init; }
    public List<string>? Strategies { get; init; }

    /// <summary>At least 3 distinct seeds (default 1, 2, 3).</summary>
    public List<long>? Seeds { get; init; }

    /// <summary>Options per strategy, by name (e.g. {"evolution": {"populationSize": 10}}); absent = the strategy's defaults for the budget.</summary>
    public Dictionary<string, JsonElement>? StrategyOptions { get; init; }
    public SearchRequest? Search { get; init; }
}

public sealed record StudyRunDto(Guid SearchId, string Strategy, long Seed, string Status);

public sealed record StudyDto(Guid Id, string Name, Guid DatasetId, IReadOnlyList<string> Strategies, IReadOnlyList<long> Seeds, double LatencyBudgetMs,
    int MaxTrials, double? MaxMinutes, string Status, int SearchesFinished, int Searches, DateTimeOffset CreatedAt, double ReferenceLatencyMs,
    IReadOnlyList<StrategySummary>? Summary);

/// <summary>Starting studies (all their searches or none) and reading their summaries.</summary>
public sealed class StudyService(IDbContextFactory<NasDbContext> dbf, SearchService searches, TimeProvider time)
{
    public const int MinSeeds = 3, MaxSeeds = 10, MaxStrategies = 8;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <exception cref="SearchValidationException">A field of the study or of its shared search settings is invalid.</exception>
    public async Task<(Study Study, IReadOnlyList<Guid> Searches)> CreateAsync(StudyRequest request, Caller caller, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var strategies = (request.Strategies ?? []).Select(s => s.Trim()).ToList();
        var seeds = request.Seeds ?? [1, 2, 3];
        if (strategies.Count is 0 or > MaxStrategies) errors["strategies"] = [$"strategies names 1 to {MaxStrategies} strategies to compare."];
        else if (strategies.Distinct().Count() != strategies.Count) errors["strategies"] = ["Each strategy is named once."];
        if (seeds.Count is < MinSeeds or > MaxSeeds || seeds.Distinct().Count() != seeds.Count)
            errors["seeds"] = [$"seeds lists {MinSeeds} to {MaxSeeds} distinct seeds: one run is no comparison, the spread over seeds is."];
        if (request.Search is null) errors["search"] = ["search holds the settings every search of the study shares (datasetId, latencyBudgetMs, ...)."];
        foreach (var name in (request.StrategyOptions ?? []).Keys.Where(k => !strategies.Contains(k)))
            errors[$"strategyOptions.{name}"] = [$"'{name}' is not one of the study's strategies."];
        if (errors.Count > 0) throw new SearchValidationException(errors);

        await using var db = await dbf.CreateDbContextAsync(ct);
        var study = new Study
        {
            Id = Guid.NewGuid(), OwnerId = caller.UserId, Name = "", DatasetId = request.Search!.DatasetId,
            Strategies = string.Join(' ', strategies), Seeds = string.Join(' ', seeds), SettingsJson = JsonSerializer.Serialize(request.Search, Json),
            CreatedAt = time.GetUtcNow(),
        };
        var rows = new List<Search>();
        foreach (var strategy in strategies)
        {
            foreach (var seed in seeds)
            {
                var one = request.Search with
                {
                    Strategy = strategy, Seed = seed, StrategyOptions = request.StrategyOptions?.GetValueOrDefault(strategy),
                    Name = null,
                };
                try
                {
                    var (search, baselines) = await searches.PrepareAsync(db, one, caller, ct);
                    study.Name = string.IsNullOrWhiteSpace(request.Name) ? $"{search.Name} · {strategies.Count} strategies x {seeds.Count} seeds" : request.Name.Trim();
                    search.Name = $"{study.Name} · {strategy} · seed {seed}";
                    search.StudyId = study.Id;
                    rows.Add(search);
                    db.Baselines.AddRange(baselines);
                }
                catch (SearchValidationException e)
                {
                    foreach (var (field, messages) in e.Errors)
                        errors[field] = [.. (errors.GetValueOrDefault(field) ?? []).Union(messages.Select(m => field.StartsWith("strategy", StringComparison.Ordinal) ? $"{strategy}: {m}" : m))];
                }
            }
        }
        if (errors.Count > 0) throw new SearchValidationException(errors);
        db.Studies.Add(study);
        db.Searches.AddRange(rows);
        await db.SaveChangesAsync(ct);
        await searches.StartAsync(db, rows);
        return (study, rows.Select(r => r.Id).ToList());
    }

    public async Task<List<StudyDto>> ListAsync(Caller caller, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var studies = await db.Studies.AsNoTracking().VisibleTo(caller).ToListAsync(ct);
        var ids = studies.Select(s => s.Id).ToList();
        var runs = await db.Searches.AsNoTracking().Where(s => s.StudyId != null && ids.Contains(s.StudyId.Value))
            .Select(s => new { s.StudyId, s.Status, s.LatencyBudgetMs, s.MaxTrials, s.MaxMinutes }).ToListAsync(ct);
        var runsOf = runs.ToLookup(r => r.StudyId);
        return studies.OrderByDescending(s => s.CreatedAt).Select(s =>
        {
            var mine = runsOf[s.Id].ToList();
            var first = mine.FirstOrDefault();
            return Dto(s, mine.Select(r => r.Status).ToList(), first?.LatencyBudgetMs ?? 0, first?.MaxTrials ?? 0, first?.MaxMinutes, null);
        }).ToList();
    }

    /// <summary>The study with its summary recomputed from its searches' trials and models; null when the caller cannot see it.</summary>
    public async Task<StudyDto?> GetAsync(Guid id, Caller caller, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var study = await db.Studies.AsNoTracking().VisibleTo(caller).FirstOrDefaultAsync(s => s.Id == id, ct);
        if (study is null) return null;
        var rows = await db.Searches.AsNoTracking().Where(s => s.StudyId == id).ToListAsync(ct);
        var searchIds = rows.Select(s => s.Id).ToList();
        var trials = await db.Trials.AsNoTracking()
            .Where(t => searchIds.Contains(t.SearchId) && t.Status == TrialStatus.Succeeded && !t.Skipped && t.Reward != null && t.LatencyMs != null)
            .Select(t => new { t.SearchId, t.Number, t.Reward, t.ValidationMetric, t.LatencyMs, t.Seconds }).ToListAsync(ct);
        var models = await db.Models.AsNoTracking().Where(m => searchIds.Contains(m.SearchId))
            .Select(m => new { m.Id, m.SearchId, m.TestMetric, m.LatencyMs }).ToListAsync(ct);
        var trialsOf = trials.ToLookup(t => t.SearchId);
        var modelOf = models.ToLookup(m => m.SearchId);
        var runs = rows.Select(s =>
        {
            var model = modelOf[s.Id].FirstOrDefault();
            return new StudyRun(s.Id, s.Strategy, s.Seed, s.Status.ToString().ToLowerInvariant(), s.IsFinished,
                trialsOf[s.Id].Select(t => new StudyTrial(t.Number, t.Reward!.Value, t.ValidationMetric ?? 0, t.LatencyMs!.Value, t.Seconds ?? 0)).ToList(),
                model?.Id, model?.TestMetric, model?.LatencyMs);
        }).ToList();
        var first = rows.FirstOrDefault();
        double budget = first?.LatencyBudgetMs ?? 0;
        var summary = StudySummarizer.Summarize(study.Strategies.Split(' '), runs, budget);
        return Dto(study, rows.Select(r => r.Status).ToList(), budget, first?.MaxTrials ?? 0, first?.MaxMinutes, summary);
    }

    private static StudyDto Dto(Study s, IReadOnlyList<SearchStatus> statuses, double budget, int maxTrials, double? maxMinutes, IReadOnlyList<StrategySummary>? summary)
    {
        int finished = statuses.Count(x => x is SearchStatus.Succeeded or SearchStatus.Failed or SearchStatus.Cancelled);
        string status = statuses.Count == 0 ? "empty"
            : finished < statuses.Count ? (statuses.Any(x => x == SearchStatus.Running) ? "running" : "queued")
            : statuses.All(x => x == SearchStatus.Succeeded) ? "succeeded" : "finished";
        return new StudyDto(s.Id, s.Name, s.DatasetId, s.Strategies.Split(' '), s.Seeds.Split(' ').Select(long.Parse).ToList(), budget, maxTrials, maxMinutes,
            status, finished, statuses.Count, s.CreatedAt, StudySummarizer.ReferenceLatencyMs(budget), summary);
    }
}
