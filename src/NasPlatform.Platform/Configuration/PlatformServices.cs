using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NasPlatform.Data;
using NasPlatform.Data.Postgres;
using NasPlatform.Data.Sqlite;
using NasPlatform.Engine.Components;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Strategies;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Jobs;
using NasPlatform.Platform.Progress;
using NasPlatform.Platform.Searches;
using NasPlatform.Platform.Storage;
using NasPlatform.Platform.Workers;

namespace NasPlatform.Platform.Configuration;

/// <summary>Registrations shared by the web host and the worker host.</summary>
public static class PlatformServices
{
    /// <summary>Database, blob store, job storage and the services that enqueue work.</summary>
    public static IHostApplicationBuilder AddNasPlatformCore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // Structured logs for log collectors: NasPlatform__JsonLogs=true.
        if (builder.Configuration.GetValue<bool>($"{PlatformOptions.Section}:JsonLogs")) builder.Logging.AddJsonConsole();
        services.AddOptions<PlatformOptions>().BindConfiguration(PlatformOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Everything reads the options when first resolved, so hosts and tests can still override the configuration after this call.
        static PlatformOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<PlatformOptions>>().Value;
        // Both providers are registered; the configured one is picked when the factory is first needed.
        services.AddDbContextFactory<SqliteNasDbContext>((sp, o) => o.UseSqlite(Options(sp).ResolvedConnectionString,
            sql => sql.MigrationsAssembly(MigrationsAssembly)));
        services.AddDbContextFactory<PostgresNasDbContext>((sp, o) => o.UseNpgsql(Options(sp).ResolvedConnectionString,
            pg => pg.MigrationsAssembly(MigrationsAssembly)));
        services.AddSingleton<IDbContextFactory<NasDbContext>>(sp => Options(sp).UsesPostgres
            ? new ContextFactory<PostgresNasDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresNasDbContext>>())
            : new ContextFactory<SqliteNasDbContext>(sp.GetRequiredService<IDbContextFactory<SqliteNasDbContext>>()));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IBlobStore>(sp => Options(sp) is { Blobs.Kind: "s3" } o
            ? new S3BlobStore(o.Blobs, Path.Combine(o.FullDataPath, "tmp"))
            : new FileBlobStore(Path.Combine(Options(sp).FullDataPath, "blobs")));
        services.AddSingleton<IJobScheduler, HangfireJobScheduler>();
        services.AddSingleton<DatasetService>();
        services.AddSingleton<SegmentationDemo>();
        AddSearchComponents(services);
        services.AddSingleton<SearchService>();
        services.AddSingleton<NasPlatform.Platform.Devices.EdgeDeviceService>();
        services.AddSingleton<NasPlatform.Platform.Devices.LatencyQueue>();
        services.AddSingleton<NasPlatform.Platform.Devices.LatencyDevices>();
        services.AddSingleton<NasPlatform.Platform.Studies.StudyService>();
        services.AddSingleton<SearchCoordinator>();
        services.AddSingleton<WorkerIdentity>();
        services.AddSingleton<WorkerPresence>();
        services.AddSingleton<DatasetCache>();
        services.AddTransient<DatasetIngestionJob>();
        services.AddTransient<TrialJob>();
        services.AddTransient<FinalTrainingJob>();
        services.AddTransient<BaselinesJob>();
        services.AddSingleton<Latency.LatencyTables>();
        services.AddTransient<OneShotSearchJob>();
        services.AddHostedService<DatabaseMigrator>();

        services.AddHangfire((sp, c) =>
        {
            var options = Options(sp);
            c.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (options.UsesPostgres)
                c.UsePostgreSqlStorage(pg => pg.UseNpgsqlConnection(options.ResolvedConnectionString), new PostgreSqlStorageOptions
                {
                    QueuePollInterval = TimeSpan.FromSeconds(1),
                    SchemaName = "hangfire",
                    // A running job keeps its claim fresh; the job of a worker that died is picked up by another
                    // worker once the claim is this old, instead of after Hangfire's default of 30 minutes.
                    UseSlidingInvisibilityTimeout = true,
                    InvisibilityTimeout = TimeSpan.FromSeconds(options.Worker.OrphanedJobSeconds),
                });
            else
                c.UseSQLiteStorage(DataFile(options, "hangfire.db"), new SQLiteStorageOptions
                {
                    // The default poll leaves jobs sitting "Enqueued" for seconds.
                    QueuePollInterval = TimeSpan.FromSeconds(1),
                });
        });
        return builder;
    }

    /// <summary>Runs trials here: one Hangfire server for control jobs, one for this device's trials.</summary>
    public static IHostApplicationBuilder AddNasWorker(this IHostApplicationBuilder builder, bool inProcess)
    {
        var services = builder.Services;
        var id = $"{Environment.MachineName}:{Environment.ProcessId}";
        services.AddHangfireServer((_, o) =>
        {
            o.ServerName = $"{id}:control";
            o.Queues = [HangfireJobScheduler.ControlQueue];
            o.WorkerCount = 2;
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        services.AddHangfireServer((sp, o) =>
        {
            var worker = sp.GetRequiredService<IOptions<PlatformOptions>>().Value.Worker;
            o.ServerName = $"{id}:{worker.DeviceClass}";
            o.Queues = [worker.DeviceClass];
            // One device job at a time per process: trainings sharing the cores would slow each other and spoil
            // every latency figure. Trials of a search run in parallel on several worker processes (or machines),
            // each with its own threads (src/NasPlatform.Benchmarks/workers-throughput.sh measures the gain).
            o.WorkerCount = 1;
        });
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<WorkerHeartbeatService>(sp, inProcess));
        services.AddSingleton<SearchWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<SearchWatchdog>());
        return builder;
    }

    /// <summary>
    /// The built-in spaces, strategies, objectives and tasks, each registered on its own so that a host
    /// (or a test) adds one more with a single AddSingleton; the catalog is built from all of them.
    /// The estimator is replaceable the same way.
    /// </summary>
    private static void AddSearchComponents(IServiceCollection services)
    {
        foreach (var space in SearchCatalog.BuiltInSpaces) services.AddSingleton(space);
        foreach (var strategy in StrategyDefinition.BuiltIn) services.AddSingleton(strategy);
        foreach (var objective in SearchCatalog.BuiltInObjectives) services.AddSingleton(objective);
        foreach (var task in SearchCatalog.BuiltInTasks) services.AddSingleton(task);
        foreach (var method in SearchCatalog.BuiltInOneShot) services.AddSingleton(method);
        services.AddSingleton<SearchCatalog>();
        services.AddSingleton<SearchSetup>();
        services.TryAddSingleton<IEstimatorFactory, ProxyTrainingEstimator.Factory>();
    }

    private const string MigrationsAssembly = "NasPlatform.Migrations";

    /// <summary>A file in the data folder, which is created on first use.</summary>
    public static string DataFile(PlatformOptions options, string name)
    {
        Directory.CreateDirectory(options.FullDataPath);
        return Path.Combine(options.FullDataPath, name);
    }

    private sealed class ContextFactory<T>(IDbContextFactory<T> inner) : IDbContextFactory<NasDbContext> where T : NasDbContext
    {
        public NasDbContext CreateDbContext() => inner.CreateDbContext();
    }
}

/// <summary>Applies pending migrations before anything else touches the database.</summary>
public sealed class DatabaseMigrator(IDbContextFactory<NasDbContext> dbf) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbf.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
