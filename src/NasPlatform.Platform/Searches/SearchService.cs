using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Objectives;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Engine.Strategies;
using NasPlatform.Engine.Zoo;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Jobs;
using NasPlatform.Platform.Progress;
using NasPlatform.Platform.Storage;
using NasPlatform.Platform.Workers;

namespace NasPlatform.Platform.Searches;

/// <summary>Launching and cancelling searches; the work itself is done by jobs.</summary>
public sealed class SearchService(IDbContextFactory<NasDbContext> dbf, IJobScheduler jobs, IProgressSink progress, SearchSetup setup,
    WorkerPresence workers, IOptions<PlatformOptions> options, TimeProvider time)
{
    /// <exception cref="SearchValidationException">The request has invalid fields.</exception>
    /// <exception cref="PlatformException">The dataset is missing or not ready.</exception>
    public async Task<Search> CreateAsync(SearchRequest request, Caller caller, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var (search, baselines) = await PrepareAsync(db, request, caller, ct);
        db.Searches.Add(search);
        db.Baselines.AddRange(baselines);
        await db.SaveChangesAsync(ct);
        await StartAsync(db, [search]);
        return search;
    }

    /// <summary>
    /// Checks a request and builds its rows without saving them, so that a group of searches (a study)
    /// is refused whole or stored whole.
    /// </summary>
    internal async Task<(Search Search, List<Baseline> Baselines)> PrepareAsync(NasDbContext db, SearchRequest request, Caller caller, CancellationToken ct)
    {
        var errors = request.Validate(setup.Catalog);
        if (errors.Count > 0) throw new SearchValidationException(errors);
        var dataset = await db.Datasets.AsNoTracking().VisibleTo(caller).FirstOrDefaultAsync(d => d.Id == request.DatasetId, ct)
                      ?? throw new PlatformException($"Dataset {request.DatasetId} does not exist.", 404);
        if (dataset.Status != DatasetStatus.Ready)
            throw new PlatformException($"Dataset '{dataset.Name}' is {dataset.Status.ToString().ToLowerInvariant()}, not ready; searches need a ready dataset.", 409);
        request = request with { Task = request.Task ?? dataset.Task };
        var (strategyOptions, metric, kind) = CheckParts(request, dataset);
        if (request.WaitForWorkerMinutes is null)
        {
            var online = await workers.OnlineClassesAsync(ct);
            if (!online.Contains(request.TargetDevice))
                throw new SearchValidationException(new() { ["targetDevice"] = [WorkerPresence.NoWorkerMessage(request.TargetDevice, online)] });
        }
        if (request.LatencyDevice is { } target && await Devices.EdgeDeviceService.FindAsync(db, caller.UserId, target, ct) is null)
            throw new SearchValidationException(new() { ["latencyDevice"] = [$"You have no edge device '{target}': register one at /api/v1/devices and start its agent."] });
        var fidelity = TrainingDefaults.For(dataset.TrainCount, SearchOptions.DefaultValidationFraction,
            new FidelityRequest(request.ProxyEpochs, request.ProxyFraction, request.FinalEpochs, request.BatchSize));
        var search = new Search
        {
            Id = Guid.NewGuid(),
            OwnerId = caller.UserId,
            Name = string.IsNullOrWhiteSpace(request.Name) ? $"{dataset.Name} @ {request.LatencyBudgetMs:0.##} ms" : request.Name.Trim(),
            DatasetId = dataset.Id, SearchSpace = request.SearchSpace, SpaceOptionsJson = Raw(request.SpaceOptions), Task = request.Task!,
            Strategy = request.Strategy, StrategyOptionsJson = ComponentOptions.Write(strategyOptions),
            Objective = request.Objective, ObjectiveOptionsJson = Raw(request.ObjectiveOptions), Metric = metric, Kind = kind,
            LatencyBudgetMs = request.LatencyBudgetMs, Constraint = request.Constraint, TargetDevice = request.TargetDevice,
            LatencyDevice = request.LatencyDevice, WaitForWorkerMinutes = request.WaitForWorkerMinutes,
            MaxTrials = request.MaxTrials, MaxMinutes = request.MaxMinutes, ProxyEpochs = fidelity.ProxyEpochs,
            ProxyFraction = fidelity.ProxyFraction, FinalEpochs = fidelity.FinalEpochs, BatchSize = fidelity.BatchSize,
            HorizontalFlip = request.HorizontalFlip, RandomErasing = request.RandomErasing, EmaDecay = request.EmaDecay, Seed = request.Seed,
            Baselines = request.Baselines, EarlyStopping = request.EarlyStopping,
            Prior = request.Prior, PriorWeight = request.PriorWeight, PriorExpert = request.PriorExpert,
            Parallelism = request.Parallelism ?? options.Value.DefaultParallelism,
            Status = SearchStatus.Queued, CreatedAt = time.GetUtcNow(),
        };
        return (search, request.Baselines ? BaselineRows(search, dataset, request.BaselineFamilies).ToList() : []);
    }

    /// <summary>Queues stored searches; if the queue refuses one, none of them is kept.</summary>
    internal async Task StartAsync(NasDbContext db, IReadOnlyList<Search> searches)
    {
        try
        {
            foreach (var search in searches) jobs.EnqueueSearchStart(search.Id);
        }
        catch
        {
            var ids = searches.Select(s => s.Id).ToList();
            await db.Searches.Where(s => ids.Contains(s.Id)).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
        foreach (var search in searches) await progress.SearchChanged(SearchCoordinator.ToUpdate(search));
    }

    /// <summary>One queued row per zoo member (of the chosen families, or all) that serves the search's task on this data.</summary>
    private IEnumerable<Baseline> BaselineRows(Search search, Dataset dataset, IReadOnlyList<string>? families)
    {
        var shape = SearchSetup.Shape(dataset);
        var task = setup.Catalog.Tasks.Get(search.Task);
        var members = BaselineZoo.Members(setup.Catalog, new SpaceInput(shape.Image, task.OutputOf(shape)), search.Task, families);
        return members.Select((m, i) =>
        {
            var cost = new Candidate(m.Architecture, m.Space.Graph(m.Architecture), task).Cost;
            return new Baseline
            {
                Id = Guid.NewGuid(), SearchId = search.Id, Number = i + 1, Name = m.Name, Family = m.Family, Width = m.Width, SearchSpace = m.Space.Name,
                ArchitectureJson = m.Architecture.ToJson(), ArchitectureHash = m.Architecture.Hash, Parameters = cost.Parameters, Macs = cost.MultiplyAdds,
                Status = BaselineStatus.Queued,
            };
        });
    }

    private static string? Raw(System.Text.Json.JsonElement? options) =>
        options is { ValueKind: not (System.Text.Json.JsonValueKind.Null or System.Text.Json.JsonValueKind.Undefined) } o ? o.GetRawText() : null;

    /// <summary>
    /// Creates the search's parts for this dataset the way its jobs will, so a bad option or a space
    /// that cannot serve the data is refused now, by field, instead of failing the first trial.
    /// </summary>
    private (StrategyOptions Strategy, string Metric, string Kind) CheckParts(SearchRequest r, Dataset dataset)
    {
        var catalog = setup.Catalog;
        var errors = new Dictionary<string, string[]>();
        void Try(string field, Action create)
        {
            try { create(); }
            catch (ArgumentException e) { errors[field] = [e.Message]; }
        }
        var task = catalog.Tasks.Get(r.Task!);
        if (task.Name != dataset.Task)
            throw new SearchValidationException(new() { ["task"] = [dataset.Task switch
            {
                Engine.Tasks.Segmentation.SegmentationTask.TaskName => $"Dataset '{dataset.Name}' has a mask per image: it can be searched for segmentation only.",
                Engine.Tasks.Detection.DetectionTask.TaskName => $"Dataset '{dataset.Name}' has boxes: it can be searched for detection only.",
                _ => $"Dataset '{dataset.Name}' has one label per image: it can be searched for {dataset.Task} only.",
            }] });
        var space = catalog.Spaces.Get(r.SearchSpace);
        var shape = SearchSetup.Shape(dataset);
        ISearchSpace? created = null;
        if (!space.Tasks.Contains(task.Name))
            errors["searchSpace"] = [SearchComponents.WrongTask(catalog, space, task.Name)];
        else
            Try(r.SpaceOptions is null ? "searchSpace" : "spaceOptions", () => created = space.Create(new SpaceInput(shape.Image, task.OutputOf(shape)), r.SpaceOptions));
        bool oneShot = catalog.OneShot.Contains(r.Strategy);
        if (oneShot && !catalog.OneShot.Get(r.Strategy).Spaces.Contains(space.Name))
            errors["strategy"] = [$"The one-shot method {r.Strategy} searches {string.Join(", ", catalog.OneShot.Get(r.Strategy).Spaces)}, not the {space.Name} space."];
        var strategyOptions = new StrategyOptions();
        Try("strategyOptions", () =>
        {
            strategyOptions = ComponentOptions.Read<StrategyOptions>(r.StrategyOptions, $"the {r.Strategy} strategy");
            strategyOptions.Validate();
            // Stored with the budget-relative sizes filled in: the search page shows what runs.
            strategyOptions = strategyOptions.ForBudget(r.MaxTrials);
            // Built once now, so an option only the strategy can judge (such as a multi-fidelity base strategy) is refused here.
            if (created is not null && !oneShot) catalog.Strategies.Get(r.Strategy).Create(created.Decisions, 1, strategyOptions).Dispose();
        });
        Try("objectiveOptions", () => catalog.Objectives.Get(r.Objective)
            .Create(new LatencyTarget(r.LatencyBudgetMs, MnasReward.Parse(r.Constraint)), r.ObjectiveOptions));
        if (errors.Count > 0) throw new SearchValidationException(errors);
        return (strategyOptions, task.PrimaryMetric, oneShot ? SearchKinds.OneShot : SearchKinds.Trials);
    }

    /// <summary>Stops a search: queued trials are removed, running ones stop at their next batch. False when it does not exist.</summary>
    public async Task<bool> CancelAsync(Guid id, Caller caller, CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            await using var db = await dbf.CreateDbContextAsync(ct);
            var search = await db.Searches.VisibleTo(caller).Include(s => s.Trials).FirstOrDefaultAsync(s => s.Id == id, ct);
            if (search is null) return false;
            if (search.IsFinished) throw new PlatformException($"The search has already {search.Status.ToString().ToLowerInvariant()}.", 409);
            search.Status = SearchStatus.Cancelled;
            search.Phase = SearchPhases.Done;
            search.FinishedAt = time.GetUtcNow();
            search.Version++;
            var stopped = search.Trials.Where(t => !t.IsFinished).ToList();
            foreach (var trial in stopped)
            {
                trial.Status = TrialStatus.Cancelled;
                trial.FinishedAt = time.GetUtcNow();
            }
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 20)
            {
                continue;
            }
            foreach (var trial in stopped.Where(t => t.JobId is not null))
                jobs.Delete(trial.JobId!);
            foreach (var trial in stopped)
                await progress.TrialChanged(SearchCoordinator.ToUpdate(trial));
            await progress.SearchChanged(SearchCoordinator.ToUpdate(search));
            return true;
        }
    }

    /// <summary>
    /// Continues a failed or cancelled search where it stopped: its unfinished and failed trials are
    /// queued again (a failed trial's earlier reward of 0 stays with the strategy; its row gets the new
    /// result), and the coordinator goes on from the saved strategy state. False when it does not exist.
    /// </summary>
    public async Task<bool> ResumeAsync(Guid id, Caller caller, CancellationToken ct)
    {
        List<Trial> requeued;
        Search search;
        await using (var db = await dbf.CreateDbContextAsync(ct))
        {
            var found = await db.Searches.VisibleTo(caller).Include(s => s.Trials).FirstOrDefaultAsync(s => s.Id == id, ct);
            if (found is null) return false;
            search = found;
            if (search.Status is not (SearchStatus.Failed or SearchStatus.Cancelled))
                throw new PlatformException($"Only a failed or cancelled search can be resumed; this one is {search.Status.ToString().ToLowerInvariant()}.", 409);
            var dataset = await db.Datasets.AsNoTracking().FirstAsync(d => d.Id == search.DatasetId, ct);
            if (dataset.Status != DatasetStatus.Ready) throw new PlatformException("The search's dataset is no longer ready.", 409);
            requeued = search.Trials.Where(t => t.Status is TrialStatus.Cancelled or TrialStatus.Failed or TrialStatus.Queued or TrialStatus.Running).ToList();
            foreach (var trial in requeued)
            {
                trial.Status = TrialStatus.Queued;
                trial.Error = null;
                trial.HistoryJson = "[]";
                trial.JobId = null;
                trial.DuplicateOf = null; // on resume it trains for itself
                trial.StartedAt = trial.FinishedAt = null;
            }
            search.Status = SearchStatus.Running;
            search.Error = null;
            search.FinishedAt = null;
            search.StartedAt ??= time.GetUtcNow();
            // A search that failed in its final training only needs that step again; a one-shot search
            // continues its run from the last checkpoint until it has derived its architecture.
            search.Phase = search.Kind == SearchKinds.OneShot
                ? (search.Trials.Any(t => t.Status == TrialStatus.Succeeded) ? SearchPhases.Final : SearchPhases.OneShot)
                : search.Phase == SearchPhases.Final || (search.Phase == SearchPhases.Done && search.ModelId is null && requeued.Count == 0
                                                           && search.Trials.Count >= search.MaxTrials)
                    ? SearchPhases.Final : SearchPhases.Trials;
            search.TrialsCompleted = search.Trials.Count(t => t.Status is TrialStatus.Succeeded);
            search.Version++;
            await db.SaveChangesAsync(ct);
        }
        foreach (var trial in requeued)
        {
            var jobId = jobs.EnqueueTrial(trial.Id, search.TargetDevice);
            await using var db = await dbf.CreateDbContextAsync(ct);
            await db.Trials.Where(t => t.Id == trial.Id).ExecuteUpdateAsync(u => u.SetProperty(t => t.JobId, jobId), ct);
        }
        // Stopped baselines run again behind the final training (a search still searching queues them with its final training).
        bool baselines = search.Baselines && await RequeueBaselinesAsync(search.Id, ct) > 0;
        if (search.Phase is SearchPhases.Final or SearchPhases.OneShot) await PhaseJobs.EnqueueAsync(jobs, dbf, search, baselines, ct);
        else jobs.EnqueueSearchAdvance(search.Id);
        await progress.SearchChanged(SearchCoordinator.ToUpdate(search));
        return true;
    }

    /// <summary>Baselines a cancel stopped run again with the resumed search; trained and skipped ones stay.</summary>
    private async Task<int> RequeueBaselinesAsync(Guid searchId, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        await db.Baselines.Where(b => b.SearchId == searchId && (b.Status == BaselineStatus.Cancelled || b.Status == BaselineStatus.Running))
            .ExecuteUpdateAsync(u => u.SetProperty(b => b.Status, BaselineStatus.Queued), ct);
        return await db.Baselines.CountAsync(b => b.SearchId == searchId && b.Status == BaselineStatus.Queued, ct);
    }

    /// <summary>Deletes a finished search with its trials, model rows and model files. False when it does not exist.</summary>
    public async Task<bool> DeleteAsync(Guid id, Caller caller, IBlobStore blobs, CancellationToken ct)
    {
        await using var db = await dbf.CreateDbContextAsync(ct);
        var search = await db.Searches.VisibleTo(caller).FirstOrDefaultAsync(s => s.Id == id, ct);
        if (search is null) return false;
        if (!search.IsFinished) throw new PlatformException("The search is still running; cancel it first.", 409);
        var models = await db.Models.Where(m => m.SearchId == id).ToListAsync(ct);
        db.Models.RemoveRange(models);
        db.Searches.Remove(search); // trials go with it (cascade)
        await db.SaveChangesAsync(ct);
        foreach (var model in models) blobs.DeletePrefix($"models/{model.Id}/");
        blobs.DeletePrefix($"searches/{id}/"); // a one-shot search's checkpoint
        return true;
    }
}

public sealed class SearchValidationException(Dictionary<string, string[]> errors)
    : Exception("The search request is not valid: " + string.Join(" ", errors.Values.SelectMany(v => v)))
{
    public Dictionary<string, string[]> Errors { get; } = errors;
}
