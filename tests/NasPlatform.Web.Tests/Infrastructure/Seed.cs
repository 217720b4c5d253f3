using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Spaces.MnasNet;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Storage;

namespace NasPlatform.Web.Tests.Infrastructure;

/// <summary>The ids of one user's finished resources, seeded straight into the database and blob store.</summary>
public sealed record SeededResources(Guid DatasetId, Guid SearchId, Guid TrialId, Guid ModelId, Guid RunningSearchId, Guid WebhookId, Guid DeviceId);

public static class Seed
{
    /// <summary>
    /// A ready dataset (with a preview), a succeeded search with one trial and its model (with
    /// weights), and a running search — without training anything, so authorization tests are fast.
    /// </summary>
    public static async Task<SeededResources> FinishedSearchAsync(this PlatformFactory factory, Guid ownerId)
    {
        var now = DateTimeOffset.UtcNow;
        var arch = new MnasSearchSpace(1, 28, 28, 10).ReferenceArchitecture();
        var dataset = new Dataset
        {
            Id = Guid.NewGuid(), OwnerId = ownerId, Name = "seeded", Format = "idx-zip", Status = DatasetStatus.Ready, Channels = 1, Height = 28, Width = 28,
            NumClasses = 2, ClassNames = ["a", "b"], ClassCounts = [5, 5], TrainCount = 10, TestCount = 4, CreatedAt = now, ReadyAt = now,
        };
        Search NewSearch(SearchStatus status) => new()
        {
            Id = Guid.NewGuid(), OwnerId = ownerId, Name = "seeded search", DatasetId = dataset.Id, SearchSpace = "mnasnet", Strategy = "random",
            LatencyBudgetMs = 5, Constraint = "soft", TargetDevice = "cpu", MaxTrials = 1, ProxyEpochs = 1, ProxyFraction = 1, FinalEpochs = 1,
            Parallelism = 1, Status = status, Phase = status == SearchStatus.Succeeded ? SearchPhases.Done : SearchPhases.Trials, CreatedAt = now,
        };
        var search = NewSearch(SearchStatus.Succeeded);
        var running = NewSearch(SearchStatus.Running);
        var trial = new Trial
        {
            Id = Guid.NewGuid(), SearchId = search.Id, Number = 1, ArchitectureJson = arch.ToJson(), ArchitectureHash = arch.Hash, ChoicesJson = "[]",
            Status = TrialStatus.Succeeded, ValidationMetric = 0.5, LatencyMs = 1, Reward = 0.5, CreatedAt = now, FinishedAt = now, Reported = true,
        };
        var model = new TrainedModel
        {
            Id = Guid.NewGuid(), OwnerId = ownerId, SearchId = search.Id, TrialId = trial.Id, Name = "seeded model", ArchitectureJson = arch.ToJson(),
            ArchitectureHash = arch.Hash, TestMetric = 0.5, LatencyMs = 1, Device = "cpu", WeightsBlob = "", CreatedAt = now,
        };
        model.WeightsBlob = $"models/{model.Id}/model.bin";
        search.BestTrialId = trial.Id;
        search.ModelId = model.Id;
        search.TrialsCompleted = 1;
        var blobs = factory.Services.GetRequiredService<IBlobStore>();
        await blobs.WriteAsync(model.WeightsBlob, new MemoryStream([1, 2, 3, 4]));
        await blobs.WriteAsync(DatasetIngestionJob.PreviewKey(dataset.Id, 0), new MemoryStream([0x89, 0x50, 0x4e, 0x47]));
        await using var db = factory.Db();
        db.Datasets.Add(dataset);
        db.Searches.AddRange(search, running);
        db.Trials.Add(trial);
        db.Models.Add(model);
        var webhook = new NasPlatform.Data.Entities.Webhook
        {
            Id = Guid.NewGuid(), OwnerId = ownerId, Url = "https://example.com/hook", Events = "search.failed", SealedSecret = "-", CreatedAt = now,
        };
        db.Webhooks.Add(webhook);
        var device = new EdgeDevice { Id = Guid.NewGuid(), OwnerId = ownerId, Name = $"seeded-{Guid.NewGuid():N}"[..20], TokenHash = Guid.NewGuid().ToString("N"), CreatedAt = now };
        db.EdgeDevices.Add(device);
        await db.SaveChangesAsync();
        return new SeededResources(dataset.Id, search.Id, trial.Id, model.Id, running.Id, webhook.Id, device.Id);
    }

    /// <summary>A SignalR connection to the progress hub with this API token (null = anonymous).</summary>
    public static HubConnection Hub(this PlatformFactory factory, string? token) => new HubConnectionBuilder()
        .WithUrl(new Uri(factory.BaseAddress, "/hubs/progress"), o =>
        {
            if (token is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(token);
        })
        .Build();
}
