using Microsoft.EntityFrameworkCore;
using NasPlatform.Data;
using NasPlatform.Data.Entities;
using NasPlatform.Engine.Latency;
using NasPlatform.Engine.Pipeline;
using NasPlatform.Engine.Spaces;
using NasPlatform.Platform.Searches;

namespace NasPlatform.Platform.Latency;

/// <summary>
/// The latency tables of the device classes, kept in the database (every worker of a class fills the
/// same table) and cached per process, and the predictors calibrated on stored trials.
/// </summary>
public sealed class LatencyTables(IDbContextFactory<NasDbContext> dbf, SearchSetup setup, TimeProvider time)
{
    /// <summary>Measured trials a predictor is calibrated on: the newest ones (a refit per trial stays cheap).</summary>
    public const int MaxObservations = 500;

    private readonly Dictionary<string, LatencyTable> _tables = new(StringComparer.Ordinal);

    /// <summary>The table of a device class at a batch size: a layer's time depends on both (batch 1 keeps the plain class name).</summary>
    public static string Key(string deviceClass, int batchSize) => batchSize <= 1 ? deviceClass : $"{deviceClass}@b{batchSize}";
    private readonly Lock _gate = new();

    public LatencyTable Table(string deviceClass)
    {
        lock (_gate)
        {
            if (_tables.TryGetValue(deviceClass, out var cached)) return cached;
        }
        var table = new LatencyTable();
        using (var db = dbf.CreateDbContext())
            foreach (var e in db.LatencyEntries.AsNoTracking().Where(e => e.DeviceClass == deviceClass)) table.Set(e.Key, e.Ms);
        lock (_gate) return _tables.TryAdd(deviceClass, table) ? table : _tables[deviceClass];
    }

    /// <summary>Stores the entries this process measured that the database does not have yet (another worker may have added them meanwhile).</summary>
    public void Save(string deviceClass, LatencyTable table)
    {
        using var db = dbf.CreateDbContext();
        var known = db.LatencyEntries.Where(e => e.DeviceClass == deviceClass).Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        foreach (var (key, ms) in table.Entries.Where(e => !known.Contains(e.Key)))
            db.LatencyEntries.Add(new LatencyEntry { DeviceClass = deviceClass, Key = key, Ms = ms, MeasuredAt = now });
        try
        {
            db.SaveChanges();
        }
        catch (DbUpdateException)
        {
            // Another worker stored the same layers first; its figures serve as well.
        }
    }

    /// <summary>A predictor for the class, calibrated on the given searches' measured trials (all of the class's when null).</summary>
    public LatencyPredictor Predictor(string deviceClass, Guid? searchId = null)
    {
        var predictor = new LatencyPredictor(Table(deviceClass));
        predictor.ObserveAll(Observations(deviceClass, searchId));
        return predictor;
    }

    private List<LatencyObservation> Observations(string deviceClass, Guid? searchId)
    {
        using var db = dbf.CreateDbContext();
        var measured = db.Trials.AsNoTracking().Include(t => t.Search).ThenInclude(s => s!.Dataset)
            .Where(t => t.Status == TrialStatus.Succeeded && !t.FromCache && t.LatencyMs != null);
        // One search's trials share its device, agent and batch size; class-wide, only the class's workers' batch-1 figures count.
        measured = searchId is { } id ? measured.Where(t => t.SearchId == id)
            : measured.Where(t => t.Search!.TargetDevice == deviceClass && t.Search.LatencyDevice == null
                && t.Search.Objective != Engine.Objectives.ThroughputObjective.ObjectiveName);
        var trials = measured
            .OrderByDescending(t => t.FinishedAt).Take(MaxObservations).ToList();
        var spaces = new Dictionary<Guid, ISearchSpace?>();
        var observations = new List<LatencyObservation>();
        foreach (var t in trials)
        {
            if (!spaces.TryGetValue(t.SearchId, out var space))
            {
                try { space = setup.For(t.Search!).Components.Space; }
                catch (Exception e) when (e is ArgumentException or KeyNotFoundException or InvalidOperationException) { space = null; } // a part this host lacks
                spaces[t.SearchId] = space;
            }
            if (space is null) continue;
            try
            {
                observations.Add(LatencyObservation.Of(space.Graph(space.Parse(t.ArchitectureJson)), t.LatencyMs!.Value));
            }
            catch (FormatException)
            {
                // A stored architecture this space cannot read (written by another version): one observation fewer, not a failed page.
            }
        }
        return observations;
    }
}
