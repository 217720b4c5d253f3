using Microsoft.AspNetCore.Components.Authorization;
using NasPlatform.Platform.Accounts;

namespace NasPlatform.Web.Security;

/// <summary>The caller of a Blazor circuit, for the pages' owner-filtered queries.</summary>
public sealed class CurrentUser(AuthenticationStateProvider auth)
{
    private Caller? _caller;

    public async Task<Caller> GetAsync()
    {
        if (_caller is not null) return _caller;
        var state = await auth.GetAuthenticationStateAsync();
        return _caller = Caller.Of(state.User);
    }
}
