namespace NasPlatform.Data.Entities;

/// <summary>A worker process that runs trials, as it announced itself; LastSeen is its heartbeat.</summary>
public sealed class WorkerNode
{
    /// <summary>Unique per process: host name and process id.</summary>
    public required string Id { get; set; }
    public required string Host { get; set; }

    /// <summary>Device class it serves (cpu, cuda): the queue trials of that target go to.</summary>
    public required string DeviceClass { get; set; }
    public required string DeviceName { get; set; }
    public int Threads { get; set; }
    public long? MemoryBytes { get; set; }
    public List<string> Queues { get; set; } = [];
    public bool InProcess { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LastSeen { get; set; }
    public DateTimeOffset? StoppedAt { get; set; }
}
