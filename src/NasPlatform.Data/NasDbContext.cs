using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using NasPlatform.Data.Entities;

namespace NasPlatform.Data;

/// <summary>
/// The product's database. Provider-neutral: each provider has a subclass (see Sqlite/) so that
/// its migrations live apart, as SQLite and PostgreSQL need different ones.
/// </summary>
public abstract class NasDbContext(DbContextOptions options) : IdentityUserContext<PlatformUser, Guid>(options), IDataProtectionKeyContext
{
    /// <summary>The keys that seal session cookies and antiforgery tokens, shared by every web host of the database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Dataset> Datasets => Set<Dataset>();
    public DbSet<Search> Searches => Set<Search>();
    public DbSet<Trial> Trials => Set<Trial>();
    public DbSet<TrainedModel> Models => Set<TrainedModel>();
    public DbSet<Baseline> Baselines => Set<Baseline>();
    public DbSet<SearchRepair> Repairs => Set<SearchRepair>();
    public DbSet<LatencyEntry> LatencyEntries => Set<LatencyEntry>();
    public DbSet<WorkerNode> Workers => Set<WorkerNode>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<Webhook> Webhooks => Set<Webhook>();
    public DbSet<Study> Studies => Set<Study>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<EdgeDevice> EdgeDevices => Set<EdgeDevice>();
    public DbSet<LatencyJob> LatencyJobs => Set<LatencyJob>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);
        b.Entity<Study>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Strategies).HasMaxLength(400);
            e.Property(x => x.Seeds).HasMaxLength(400);
            e.HasIndex(x => new { x.OwnerId, x.CreatedAt });
        });
        b.Entity<EdgeDevice>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(64);
            e.Property(x => x.TokenHash).HasMaxLength(64);
            e.Property(x => x.Hardware).HasMaxLength(1000);
            e.HasIndex(x => new { x.OwnerId, x.Name }).IsUnique();
            e.HasIndex(x => x.TokenHash).IsUnique();
        });
        b.Entity<LatencyJob>(e =>
        {
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.LeasedBy).HasMaxLength(200);
            e.Property(x => x.Error).HasMaxLength(2000);
            e.HasOne<EdgeDevice>().WithMany().HasForeignKey(x => x.DeviceId).OnDelete(DeleteBehavior.Cascade);
            // An agent's claim: the oldest queued (or lapsed) job of its device.
            e.HasIndex(x => new { x.DeviceId, x.Status, x.CreatedAt });
        });
        b.Entity<Webhook>(e =>
        {
            e.Property(x => x.Url).HasMaxLength(2048);
            e.Property(x => x.Events).HasMaxLength(256);
            e.HasIndex(x => x.OwnerId);
        });
        b.Entity<WebhookDelivery>(e =>
        {
            e.Property(x => x.Event).HasMaxLength(32);
            e.Property(x => x.EventKey).HasMaxLength(128);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.LastError).HasMaxLength(1000);
            e.HasOne(x => x.Webhook).WithMany().HasForeignKey(x => x.WebhookId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.WebhookId, x.EventKey }).IsUnique();
            e.HasIndex(x => new { x.Status, x.NextAttemptAt });
            e.HasIndex(x => new { x.WebhookId, x.CreatedAt });
        });
        b.Entity<Dataset>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Format).HasMaxLength(32);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(x => new { x.OwnerId, x.CreatedAt });
        });
        b.Entity<Search>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Task).HasMaxLength(32);
            e.Property(x => x.Objective).HasMaxLength(32);
            e.Property(x => x.EarlyStopping).HasMaxLength(16).HasDefaultValue("none");
            e.Property(x => x.Prior).HasMaxLength(16).HasDefaultValue("none");
            e.Property(x => x.PriorExpert).HasMaxLength(64);
            e.Property(x => x.Kind).HasMaxLength(16);
            e.Property(x => x.PhaseJobId).HasMaxLength(64);
            e.Property(x => x.Metric).HasMaxLength(32);
            e.Property(x => x.Version).IsConcurrencyToken();
            e.HasOne(x => x.Dataset).WithMany().HasForeignKey(x => x.DatasetId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(x => x.Trials).WithOne(t => t.Search).HasForeignKey(t => t.SearchId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.OwnerId, x.CreatedAt });
            e.HasOne<Study>().WithMany().HasForeignKey(x => x.StudyId).OnDelete(DeleteBehavior.Cascade);
            e.Ignore(x => x.IsFinished);
        });
        b.Entity<Trial>(e =>
        {
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(x => new { x.SearchId, x.Number }).IsUnique();
            // The coordinator's look-up of a known result by architecture.
            e.HasIndex(x => new { x.SearchId, x.ArchitectureHash });
            // One per sort key of the trial list: a page of a 10,000-trial search is then read from the index, not sorted.
            e.HasIndex(x => new { x.SearchId, x.Status, x.Number });
            e.HasIndex(x => new { x.SearchId, x.ValidationMetric, x.Number });
            e.HasIndex(x => new { x.SearchId, x.LatencyMs, x.Number });
            e.HasIndex(x => new { x.SearchId, x.Reward, x.Number });
            e.HasIndex(x => new { x.SearchId, x.Parameters, x.Number });
            e.HasIndex(x => new { x.SearchId, x.Macs, x.Number });
            e.HasIndex(x => new { x.SearchId, x.Seconds, x.Number });
            e.Ignore(x => x.IsFinished);
        });
        b.Entity<SearchRepair>(e =>
        {
            e.Property(x => x.Message).HasMaxLength(1000);
            e.HasOne<Search>().WithMany().HasForeignKey(x => x.SearchId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.SearchId, x.At });
        });
        b.Entity<Baseline>(e =>
        {
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Name).HasMaxLength(64);
            e.Property(x => x.Family).HasMaxLength(32);
            e.Property(x => x.SearchSpace).HasMaxLength(32);
            e.HasOne(x => x.Search).WithMany().HasForeignKey(x => x.SearchId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.SearchId, x.Number }).IsUnique();
        });
        b.Entity<LatencyEntry>(e =>
        {
            e.HasKey(x => new { x.DeviceClass, x.Key });
            e.Property(x => x.DeviceClass).HasMaxLength(64);
            e.Property(x => x.Key).HasMaxLength(256);
        });
        b.Entity<TrainedModel>(e =>
        {
            e.Property(x => x.SearchSpace).HasMaxLength(32);
            e.Property(x => x.Task).HasMaxLength(32);
            e.Property(x => x.Metric).HasMaxLength(32);
            e.HasIndex(x => x.SearchId);
            e.HasIndex(x => new { x.OwnerId, x.CreatedAt });
        });
        b.Entity<WorkerNode>(e => e.HasIndex(x => x.LastSeen));
        b.Entity<PlatformUser>(e => e.Ignore(x => x.IsDisabled));
        b.Entity<DataProtectionKey>();
        b.Entity<ApiToken>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(100);
            e.Property(x => x.Prefix).HasMaxLength(16);
            e.Property(x => x.Hash).HasMaxLength(64);
            e.HasIndex(x => x.Hash).IsUnique();
            e.HasIndex(x => x.OwnerId);
            e.HasOne<PlatformUser>().WithMany().HasForeignKey(x => x.OwnerId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
