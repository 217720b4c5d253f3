using System.Diagnostics.Metrics;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Workers;

namespace NasPlatform.Web.Observability;

/// <summary>
/// Gauges read at scrape time from the shared job storage and database, so they cover every worker
/// process, not only this one: jobs waiting per queue, trials running, trials finished in the last
/// minute, workers online. Exposed in Prometheus format at /metrics.
/// </summary>
public sealed class PlatformMetrics
{
    public const string MeterName = "NasPlatform";

    public PlatformMetrics(IMeterFactory meters, IDbContextFactory<NasDbContext> dbf, JobStorage storage, IOptions<PlatformOptions> options, TimeProvider time)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("nasplatform.queue.length", () =>
        {
            // Empty queues are not listed by Hangfire; the ones every platform has are reported as 0.
            var api = storage.GetMonitoringApi();
            var lengths = api.Queues().ToDictionary(q => q.Name, q => q.Length);
            foreach (var name in new[] { Platform.Jobs.HangfireJobScheduler.ControlQueue, options.Value.Worker.DeviceClass })
                lengths.TryAdd(name, 0);
            return lengths.Select(q => new Measurement<long>(q.Value, new KeyValuePair<string, object?>("queue", q.Key)));
        }, description: "Jobs waiting in each queue");
        meter.CreateObservableGauge("nasplatform.trials.running", () =>
        {
            using var db = dbf.CreateDbContext();
            return db.Trials.Count(t => t.Status == TrialStatus.Running);
        }, description: "Trials being trained or measured now");
        meter.CreateObservableGauge("nasplatform.trials.finished.last_minute", () =>
        {
            var since = time.GetUtcNow().AddMinutes(-1);
            using var db = dbf.CreateDbContext();
            return db.Trials.Count(t => t.FinishedAt >= since && (t.Status == TrialStatus.Succeeded || t.Status == TrialStatus.Failed));
        }, description: "Trials finished in the last minute (trials per minute)");
        meter.CreateObservableGauge("nasplatform.workers.online", () =>
        {
            var since = time.GetUtcNow() - WorkerHeartbeatService.OfflineAfter(options.Value.Worker);
            using var db = dbf.CreateDbContext();
            return db.Workers.Count(w => w.StoppedAt == null && w.LastSeen >= since);
        }, description: "Workers whose heartbeat is recent");
    }
}
