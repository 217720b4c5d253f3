namespace NasPlatform.Data.Entities;

public enum BaselineStatus { Queued, Running, Trained, Skipped, Failed, Cancelled }

/// <summary>
/// A hand-designed network of the baseline zoo trained beside a search with the search's final recipe
/// (or skipped when its measured latency is far over the budget), so the page can show whether the
/// searched model dominates it.
/// </summary>
public sealed class Baseline
{
    public Guid Id { get; set; }
    public Guid SearchId { get; set; }
    public Search? Search { get; set; }

    /// <summary>Order in the zoo, and the member's name such as resnet20-0.5x.</summary>
    public int Number { get; set; }
    public required string Name { get; set; }
    public required string Family { get; set; }
    public double Width { get; set; }
    public required string SearchSpace { get; set; }
    public required string ArchitectureJson { get; set; }
    public required string ArchitectureHash { get; set; }

    public BaselineStatus Status { get; set; }

    /// <summary>Why it was skipped or failed.</summary>
    public string? Reason { get; set; }
    public double? TestMetric { get; set; }
    public string? TestMetricsJson { get; set; }
    public double? LatencyMs { get; set; }
    public string? LatencyJson { get; set; }
    public long Parameters { get; set; }
    public long Macs { get; set; }
    public string? RecipeJson { get; set; }
    public double Seconds { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}
