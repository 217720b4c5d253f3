using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Jobs;
using NasPlatform.Platform.Progress;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Platform.Searches;

/// <summary>Launching and cancelling searches; the work itself is done by jobs.</summary>
public sealed class SearchService(IDbContextFactory<NasDbContext> dbf, IJobScheduler jobs, IProgressSink progress,
    IOptions<PlatformOptions> options, TimeProvider time)
{
    /// <exception cref="SearchValidationException">The request has invalid fields.</exception>
    /// <exception cref="PlatformException">The dataset is missing or not ready.</exception>
    public async Task<Search> CreateAsync(SearchRequest request, Caller caller, CancellationToken ct)
    {
        var errors = request.Validate();
        if (errors.Count > 0) throw new SearchValidationException(errors);
        await using var db = await dbf.CreateDbContextAsync(ct);
        var dataset = await db.Datasets.AsNoTracking().VisibleTo(caller).FirstOrDefaultAsync(d => d.Id == request.DatasetId, ct)
                      ?? throw new PlatformException($"Dataset {request.DatasetId} does not exist.", 404);
        if (dataset.Status != DatasetStatus.Ready)
            throw new PlatformException($"Dataset '{dataset.Name}' is {dataset.Status.ToString().ToLowerInvariant()}, not ready; searches need a ready dataset.", 409);
        if (dataset.Height < 8 || dataset.Width < 8)
            throw new PlatformException($"Images of {dataset.Height}x{dataset.Width} are too small for the MnasNet space (at least 8x8).", 422);
        var search = new Search
        {
            Id = Guid.NewGuid(),
            OwnerId = caller.UserId,
            Name = string.IsNullOrWhiteSpace(request.Name) ? $"{dataset.Name} @ {request.LatencyBudgetMs:0.##} ms" : request.Name.Trim(),
            DatasetId = dataset.Id, SearchSpace = request.SearchSpace, Strategy = request.Strategy,
            LatencyBudgetMs = request.LatencyBudgetMs, Constraint = request.Constraint, TargetDevice = request.TargetDevice,
            MaxTrials = request.MaxTrials, MaxMinutes = request.MaxMinutes, ProxyEpochs = request.ProxyEpochs,
            ProxyFraction = request.ProxyFraction, FinalEpochs = request.FinalEpochs, Seed = request.Seed,
            Parallelism = request.Parallelism ?? options.Value.DefaultParallelism,
            Status = SearchStatus.Queued, CreatedAt = time.GetUtcNow(),
        };
        db.Searches.Add(search);
        await db.SaveChangesAsync(ct);
        try
        {
            jobs.EnqueueSearchStart(search.Id);
        }
        catch
        {
            await db.Searches.Where(s => s.Id == search.Id).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
        await progress.SearchChanged(SearchCoordinator.ToUpdate(search));
        return search;
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
                trial.StartedAt = trial.FinishedAt = null;
            }
            search.Status = SearchStatus.Running;
            search.Error = null;
            search.FinishedAt = null;
            search.StartedAt ??= time.GetUtcNow();
            // A search that failed in its final training only needs that step again.
            search.Phase = search.Phase == SearchPhases.Final || (search.Phase == SearchPhases.Done && search.ModelId is null && requeued.Count == 0
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
        if (search.Phase == SearchPhases.Final) jobs.EnqueueFinalTraining(search.Id, search.TargetDevice);
        else jobs.EnqueueSearchAdvance(search.Id);
        await progress.SearchChanged(SearchCoordinator.ToUpdate(search));
        return true;
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
        return true;
    }
}

public sealed class SearchValidationException(Dictionary<string, string[]> errors)
    : Exception("The search request is not valid: " + string.Join(" ", errors.Values.SelectMany(v => v)))
{
    public Dictionary<string, string[]> Errors { get; } = errors;
}
