namespace NasPlatform.Data.Entities;

/// <summary>
/// A comparison of search strategies on one dataset, device and budget: one search per strategy and
/// seed, all started from the same settings. Its numbers are computed from those searches' trials.
/// </summary>
public sealed class Study : IOwned
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public required string Name { get; set; }
    public Guid DatasetId { get; set; }

    /// <summary>Space-separated strategy names and seeds, in the order the user gave them.</summary>
    public required string Strategies { get; set; }
    public required string Seeds { get; set; }

    /// <summary>The settings every search of the study shares (the search request as given, JSON).</summary>
    public required string SettingsJson { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
