namespace NasPlatform.Data.Entities;

/// <summary>A resource that belongs to one user; queries filter on it (see Platform's Accounts.Ownership).</summary>
public interface IOwned
{
    Guid OwnerId { get; }
}
