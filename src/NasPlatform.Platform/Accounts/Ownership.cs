using NasPlatform.Data.Entities;

namespace NasPlatform.Platform.Accounts;

/// <summary>
/// The one place where "who may see what" is decided: a resource is visible to its owner and to
/// administrators. Everything else (API, pages, hub, downloads) queries through these, so a foreign
/// id looks exactly like a missing one.
/// </summary>
public static class Ownership
{
    public static IQueryable<T> VisibleTo<T>(this IQueryable<T> query, Caller caller) where T : class, IOwned =>
        caller.IsAdmin ? query : query.Where(x => x.OwnerId == caller.UserId);

    /// <summary>Trials are owned through their search.</summary>
    public static IQueryable<Trial> VisibleTo(this IQueryable<Trial> query, Caller caller) =>
        caller.IsAdmin ? query : query.Where(t => t.Search!.OwnerId == caller.UserId);

    /// <summary>Baselines too.</summary>
    public static IQueryable<Baseline> VisibleTo(this IQueryable<Baseline> query, Caller caller) =>
        caller.IsAdmin ? query : query.Where(b => b.Search!.OwnerId == caller.UserId);

    public static bool CanSee(this Caller caller, IOwned resource) => caller.IsAdmin || resource.OwnerId == caller.UserId;
}
