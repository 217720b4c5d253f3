using Microsoft.AspNetCore.Components.Authorization;
using NasPlatform.Platform.Accounts;

namespace NasPlatform.Web.Security;

/// <summary>The caller of a Blazor circuit, for the pages' owner-filtered queries.</summary>
public sealed class CurrentUser(AuthenticationStateProvider auth)
{
    /// <summary>Read afresh each time: the state provider revalidates the circuit's user and may sign it out.</summary>
    public async Task<Caller> GetAsync() => Caller.Of((await auth.GetAuthenticationStateAsync()).User);
}
