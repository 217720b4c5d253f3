namespace NasPlatform.Data.Entities;

/// <summary>
/// A target device of one user measured by a latency agent running on it (a phone, a board): searches
/// name it as their latency device, the agent connects out with the device's token and measures the
/// ONNX models it is sent. Only the token's hash is kept.
/// </summary>
public sealed class EdgeDevice : IOwned
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }

    /// <summary>Lower-case letters, digits, '-' and '_'; unique per owner. Searches name it as <c>agent:NAME</c>.</summary>
    public required string Name { get; set; }
    public required string TokenHash { get; set; }

    /// <summary>What the agent reported of its machine at its last hello (OS, architecture, cores, ONNX Runtime version).</summary>
    public string? Hardware { get; set; }
    public DateTimeOffset? LastSeenAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public enum LatencyJobStatus { Queued, Leased, Done, Failed }

/// <summary>
/// One measurement owed by a device's agent: an ONNX model in the blob store and how to time it. An agent
/// leases it for a while; a lease that runs out (the agent vanished) puts it back in the queue.
/// </summary>
public sealed class LatencyJob
{
    public Guid Id { get; set; }
    public Guid DeviceId { get; set; }
    public Guid? SearchId { get; set; }
    public required string ModelBlob { get; set; }
    public int Channels { get; set; }
    public int Height { get; set; }
    public int Width { get; set; }
    public int BatchSize { get; set; } = 1;
    public int WarmupRuns { get; set; }
    public int TimedRuns { get; set; }
    public int Rounds { get; set; }
    public int Threads { get; set; }
    public LatencyJobStatus Status { get; set; }
    public int Attempts { get; set; }
    public string? LeasedBy { get; set; }
    public DateTimeOffset? LeasedUntil { get; set; }

    /// <summary>The agent's figures (JSON), once done.</summary>
    public string? ResultJson { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}
