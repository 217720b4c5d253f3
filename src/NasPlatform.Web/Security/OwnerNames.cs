using NasPlatform.Platform.Accounts;

namespace NasPlatform.Web.Security;

/// <summary>Administrators' lists show everyone's resources, so they name each owner; other users' lists are all their own.</summary>
public sealed class OwnerNames(CurrentUser me, AccountService accounts)
{
    /// <summary>E-mail by owner id for an administrator, null for anyone else (no owner column).</summary>
    public async Task<Dictionary<Guid, string>?> ForAsync(IEnumerable<Guid> ownerIds) =>
        (await me.GetAsync()).IsAdmin ? await accounts.EmailsAsync(ownerIds, CancellationToken.None) : null;
}
