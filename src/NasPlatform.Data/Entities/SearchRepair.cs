namespace NasPlatform.Data.Entities;

/// <summary>Something the watchdog found stuck in a search (a trial with no job, a lost final training) and set going again.</summary>
public sealed class SearchRepair
{
    public Guid Id { get; set; }
    public Guid SearchId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Message { get; set; }
}
