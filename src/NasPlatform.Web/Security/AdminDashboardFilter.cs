using Hangfire.Dashboard;
using NasPlatform.Platform.Accounts;

namespace NasPlatform.Web.Security;

/// <summary>Hangfire checks this on every dashboard request, behind the endpoint's own admin policy.</summary>
public sealed class AdminDashboardFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(PlatformClaims.AdminRole);
}
