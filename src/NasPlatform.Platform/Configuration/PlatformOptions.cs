using System.ComponentModel.DataAnnotations;

namespace NasPlatform.Platform.Configuration;

/// <summary>The "NasPlatform" section of appsettings.json, validated at start-up.</summary>
public sealed class PlatformOptions : IValidatableObject
{
    public const string Section = "NasPlatform";

    /// <summary>sqlite (the embedded default: a file in DataPath) or postgres (scale-out; needs ConnectionString).</summary>
    [RegularExpression("^(sqlite|postgres)$")] public string Database { get; set; } = "sqlite";

    /// <summary>Folder for the database file, the job storage and the blob store (relative to the working folder).</summary>
    [Required] public string DataPath { get; set; } = "data";

    /// <summary>Connection string of the database (and, for PostgreSQL, of Hangfire's storage); empty = a SQLite file in DataPath.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Largest accepted upload, in bytes.</summary>
    [Range(1024, long.MaxValue)] public long MaxUploadBytes { get; set; } = 2L << 30;

    /// <summary>Image-folder datasets need at least this many images in every class.</summary>
    [Range(2, 10_000)] public int MinImagesPerClass { get; set; } = 5;

    /// <summary>Trials of one search queued or running at once, unless the search says otherwise.</summary>
    [Range(1, 256)] public int DefaultParallelism { get; set; } = 2;

    public WorkerOptions Worker { get; set; } = new();

    public BlobStoreOptions Blobs { get; set; } = new();

    public AccountOptions Accounts { get; set; } = new();

    public WebhookOptions Webhooks { get; set; } = new();

    /// <summary>Edge latency agents: leases, retries, how long a measurement may wait.</summary>
    public AgentOptions Agents { get; set; } = new();

    /// <summary>
    /// Runs behind a reverse proxy that terminates TLS: trust its X-Forwarded-For/-Proto headers (so
    /// cookies are marked Secure and links use https) and send HSTS on https requests. Only turn on
    /// when the proxy is the only way in, since the headers are believed from any sender.
    /// </summary>
    public bool BehindProxy { get; set; }

    /// <summary>Log as JSON lines (one object per entry) for log collectors, instead of plain text.</summary>
    public bool JsonLogs { get; set; }

    public string FullDataPath => Path.GetFullPath(DataPath);

    public bool UsesPostgres => Database == "postgres";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UsesPostgres && string.IsNullOrWhiteSpace(ConnectionString))
            yield return new ValidationResult("NasPlatform:Database is postgres, so NasPlatform:ConnectionString must name the server (Host=...;Database=...;Username=...;Password=...).",
                [nameof(ConnectionString)]);
        if (Blobs.Kind == "s3" && string.IsNullOrWhiteSpace(Blobs.Bucket))
            yield return new ValidationResult("NasPlatform:Blobs:Kind is s3, so NasPlatform:Blobs:Bucket must name the bucket.", [nameof(Blobs)]);
        if (Blobs.Kind is not ("folder" or "s3"))
            yield return new ValidationResult($"NasPlatform:Blobs:Kind must be folder or s3, not '{Blobs.Kind}'.", [nameof(Blobs)]);
        if (Blobs.PartSizeMb is < 5 or > 5 * 1024)
            yield return new ValidationResult("NasPlatform:Blobs:PartSizeMb must be between 5 and 5120 (S3's limits on a part).", [nameof(Blobs)]);
    }

    public string ResolvedConnectionString =>
        string.IsNullOrWhiteSpace(ConnectionString) ? $"Data Source={PlatformServices.DataFile(this, "nasplatform.db")}" : ConnectionString;
}

/// <summary>
/// Where large bytes live: a folder under DataPath (the embedded default; several machines then need a
/// shared file system) or a bucket of an S3-compatible store (workers then need only the database and the store).
/// </summary>
public sealed class BlobStoreOptions
{
    /// <summary>folder or s3.</summary>
    public string Kind { get; set; } = "folder";

    /// <summary>The store's endpoint, e.g. http://minio:9000; empty = AWS S3 in <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    public string? Bucket { get; set; }

    /// <summary>Prepended to every key (several platforms can share a bucket), e.g. "nasplatform/".</summary>
    public string Prefix { get; set; } = "";

    public string Region { get; set; } = "us-east-1";

    /// <summary>Empty = the SDK's usual credential chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Bucket in the path (http://host/bucket/key), as MinIO and most S3-compatible servers want.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Create the bucket on the first write when it does not exist.</summary>
    public bool CreateBucket { get; set; } = true;

    /// <summary>Blobs above this size go up in parts of this size (multipart upload).</summary>
    public int PartSizeMb { get; set; } = 16;
}

/// <summary>How this process works as a trial worker.</summary>
public sealed class WorkerOptions
{
    /// <summary>Run a worker inside the web host (the embedded default).</summary>
    public bool InProcess { get; set; } = true;

    /// <summary>Device class served: the Hangfire queue and what users pick as the target device.</summary>
    [RegularExpression("^[a-z0-9_]+$")] public string DeviceClass { get; set; } = "cpu";

    /// <summary>TorchSharp device: cpu, cuda, cuda:N.</summary>
    public string TorchDevice { get; set; } = "cpu";

    /// <summary>Intra-op threads for training; 0 = all cores.</summary>
    [Range(0, 1024)] public int Threads { get; set; }

    [Range(0, 10_000)] public int LatencyWarmupRuns { get; set; } = 20;
    [Range(3, 100_000)] public int LatencyTimedRuns { get; set; } = 200;
    [Range(1, 1000)] public int LatencyRounds { get; set; } = 10;

    /// <summary>"relative" (timed against a fixed reference network in the same runs; steady on shared hosts) or "direct".</summary>
    [RegularExpression("^(relative|direct)$")] public string LatencyMethod { get; set; } = "relative";

    /// <summary>
    /// "torchsharp" (the trained network, batch norm folded) or "onnxruntime" (the exported graph users deploy, in ONNX
    /// Runtime on this worker). A worker's device class should say which, since the two differ several-fold.
    /// </summary>
    [RegularExpression("^(torchsharp|onnxruntime)$")] public string LatencyRuntime { get; set; } = "torchsharp";

    /// <summary>Seconds between heartbeats; a worker silent for three of them is shown offline.</summary>
    [Range(1, 3600)] public int HeartbeatSeconds { get; set; } = 10;

    /// <summary>Seconds between the watchdog's sweeps for stuck searches (every worker runs one; repairs are idempotent).</summary>
    [Range(1, 3600)] public int WatchdogSeconds { get; set; } = 30;

    /// <summary>A queued trial, a search step or a phase job missing for this long is repaired by the watchdog.</summary>
    [Range(1, 86_400)] public int StuckAfterSeconds { get; set; } = 120;

    /// <summary>PostgreSQL job storage: a job whose worker stopped renewing its claim this long ago runs again elsewhere.</summary>
    [Range(10, 86_400)] public int OrphanedJobSeconds { get; set; } = 60;

    public int EffectiveThreads => Threads > 0 ? Threads : Math.Max(1, Environment.ProcessorCount);
}

/// <summary>Accounts, first-run setup and per-user limits.</summary>
public sealed class AccountOptions
{
    /// <summary>First run: when no user exists yet, this administrator is created at start-up (else the /setup page asks).</summary>
    public string? AdminEmail { get; set; }

    public string? AdminPassword { get; set; }

    /// <summary>Anyone may create an account at /register; off by default, administrators create accounts.</summary>
    public bool OpenRegistration { get; set; }

    /// <summary>Failed log-ins in a row that lock an account, and for how long.</summary>
    [Range(1, 100)] public int LockoutAttempts { get; set; } = 5;

    [Range(1, 24 * 60)] public int LockoutMinutes { get; set; } = 15;

    /// <summary>Bytes of uploaded datasets a user may keep, unless their account says otherwise.</summary>
    [Range(1024, long.MaxValue)] public long DefaultStorageQuotaBytes { get; set; } = 50L << 30;

    /// <summary>How often a browser session and an open page re-check their account (disabled, password changed).</summary>
    [Range(1, 3600)] public int SessionRevalidationSeconds { get; set; } = 60;

    /// <summary>
    /// A hub connection made with an API token closes after this long (the client connects again, and
    /// authenticates again): a revoked token or a disabled account loses its live feed by then.
    /// </summary>
    [Range(1, 86_400)] public int HubSessionSeconds { get; set; } = 300;

    /// <summary>Uploads one user may stream at the same time.</summary>
    [Range(1, 100)] public int MaxConcurrentUploadsPerUser { get; set; } = 2;
}

/// <summary>Delivery of search events to the URLs users register.</summary>
public sealed class WebhookOptions
{
    /// <summary>Tries per delivery (the first one included) before it is marked failed.</summary>
    [Range(1, 50)] public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait before the first retry; each further retry waits twice as long, up to <see cref="RetryMaxSeconds"/>.</summary>
    [Range(0.01, 86_400)] public double RetryBaseSeconds { get; set; } = 15;

    [Range(0.01, 86_400)] public double RetryMaxSeconds { get; set; } = 3600;

    /// <summary>A receiver that has not answered by then counts as a failed try.</summary>
    [Range(1, 300)] public int TimeoutSeconds { get; set; } = 10;

    /// <summary>How often due retries are looked for (new events are sent at once).</summary>
    [Range(0.05, 3600)] public double PollSeconds { get; set; } = 5;

    /// <summary>Webhooks one user may register.</summary>
    [Range(1, 1000)] public int MaxPerUser { get; set; } = 20;
}

public sealed class AgentOptions
{
    /// <summary>How long an agent holds a measurement before it goes back to the queue (an agent that vanished).</summary>
    [Range(1, 3600)] public double LeaseSeconds { get; set; } = 120;

    /// <summary>Leases per measurement before it is marked failed.</summary>
    [Range(1, 20)] public int MaxAttempts { get; set; } = 3;

    /// <summary>How long a trial waits for its measurement, queue time included, before it fails.</summary>
    [Range(1, 86400)] public double MeasureTimeoutSeconds { get; set; } = 900;

    /// <summary>An agent counts as online this long after it last asked for work.</summary>
    [Range(1, 3600)] public double OnlineSeconds { get; set; } = 60;

    /// <summary>The longest an agent's request for work is held open when there is none (long polling).</summary>
    [Range(0, 120)] public double PollWaitSeconds { get; set; } = 20;

    /// <summary>How often a waiting worker looks at its measurement's row.</summary>
    [Range(10, 10000)] public int WaitPollMilliseconds { get; set; } = 250;

    [Range(1, 1000)] public int MaxDevicesPerUser { get; set; } = 20;
}
