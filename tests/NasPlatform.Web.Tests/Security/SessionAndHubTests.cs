using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using NasPlatform.Platform.Accounts;
using NasPlatform.Platform.Datasets;
using NasPlatform.Platform.Progress;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Security;

/// <summary>Cookie sessions of the UI (log-in, lockout, redirects, antiforgery), the dashboard, headers and the hub.</summary>
[Collection(PlatformCollection.Name)]
public sealed class SessionAndHubTests(PlatformFactory factory)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/datasets")]
    [InlineData("/searches/new")]
    [InlineData("/account/tokens")]
    public async Task Anonymous_UiPages_RedirectToLogIn(string path)
    {
        using var client = Browserish();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery);
        Assert.Contains(Uri.EscapeDataString(path), response.Headers.Location!.Query);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/login")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task LogIn_SetsASessionThatReachesPagesAndApi_ButApiWritesNeedTheAntiforgeryToken()
    {
        using var client = Browserish();
        var login = await LogInAsync(client, PlatformFactory.OwnerEmail, PlatformFactory.Password, "/datasets");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/datasets", login.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/datasets")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/datasets")).StatusCode);

        // A cross-site form could post with the cookie but cannot read the page's antiforgery token.
        var forged = await client.PostAsync("/api/v1/datasets", new MultipartFormDataContent { { new StringContent("x"), "name" } });
        await PlatformClient.AssertProblemAsync(forged, 400, "antiforgery");

        // An open redirect after log-in is refused.
        using var other = Browserish();
        var offsite = await LogInAsync(other, PlatformFactory.OwnerEmail, PlatformFactory.Password, "//evil.example/");
        Assert.Equal("/", offsite.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Pages_ShowAnotherUsersResources_AsNotFound()
    {
        var a = await factory.FinishedSearchAsync(factory.OwnerId);
        string email = $"pages-{Guid.NewGuid():N}@tests.local";
        await factory.CreateUserWithTokenAsync(email);
        using var other = Browserish();
        await LogInAsync(other, email, PlatformFactory.Password);
        using var owner = Browserish();
        await LogInAsync(owner, PlatformFactory.OwnerEmail, PlatformFactory.Password);
        foreach (var path in new[] { $"/datasets/{a.DatasetId}", $"/searches/{a.SearchId}", $"/models/{a.ModelId}" })
        {
            var foreign = await other.GetStringAsync(path);
            Assert.Contains("was not found", foreign);
            Assert.DoesNotContain("seeded", foreign);
            Assert.DoesNotContain("was not found", await owner.GetStringAsync(path));
        }
        foreach (var path in new[] { "/datasets", "/searches", "/models" })
            Assert.DoesNotContain(a.DatasetId.ToString(), await other.GetStringAsync(path));
    }

    [Fact]
    public async Task DisablingAnAccount_EndsItsOpenSession_AndItsTokens()
    {
        string email = $"disable-{Guid.NewGuid():N}@tests.local";
        var (userId, token) = await factory.CreateUserWithTokenAsync(email);
        using var session = Browserish();
        await LogInAsync(session, email, PlatformFactory.Password);
        Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/api/v1/datasets")).StatusCode);

        var accounts = factory.Services.GetRequiredService<AccountService>();
        var byAdmin = await AdminAsync(accounts);
        await accounts.SetDisabledAsync(userId, true, byAdmin, CancellationToken.None);
        using var api = factory.ApiAs(token);
        await PlatformClient.AssertProblemAsync(await api.GetAsync("/api/v1/datasets"), 401, "revoked");
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the test server re-checks sessions every second (60 s by default)
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/v1/datasets")).StatusCode);
        var page = await session.GetAsync("/datasets");
        Assert.StartsWith("/login", page.Headers.Location!.PathAndQuery);

        // Nobody disables themselves, and a user who is no administrator (any more) cannot disable anyone.
        await Assert.ThrowsAsync<PlatformException>(() => accounts.SetDisabledAsync(byAdmin.UserId, true, byAdmin, CancellationToken.None));
        var forged = new Caller(userId, IsAdmin: true); // a stale session claiming the role
        await Assert.ThrowsAsync<PlatformException>(() => accounts.SetDisabledAsync(factory.OwnerId, true, forged, CancellationToken.None));
        await accounts.SetDisabledAsync(userId, false, byAdmin, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/datasets")).StatusCode);
    }

    [Fact]
    public async Task TokensCount_OnlyOnTheApiAndHub_NotOnPagesOrTheDashboard()
    {
        var (_, adminToken) = await factory.CreateUserWithTokenAsync($"tokadmin-{Guid.NewGuid():N}@tests.local", admin: true);
        using var client = Browserish();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/datasets")).StatusCode);
        foreach (var path in new[] { "/hangfire", "/datasets", "/admin/users" })
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery);
        }
    }

    [Fact]
    public async Task LogOut_WithoutTheAntiforgeryToken_IsRefused_AndForgedFormErrorsAreNotShown()
    {
        using var client = Browserish();
        await LogInAsync(client, PlatformFactory.OwnerEmail, PlatformFactory.Password);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/account/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/datasets")).StatusCode); // still signed in

        var protection = factory.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>();
        Assert.Null(NasPlatform.Web.Security.AccountEndpoints.ReadError(protection, "Your account was hacked, call 555-0100"));
        var sealedMessage = NasPlatform.Web.Security.AccountEndpoints.ErrorProtector(protection).Protect("The passwords differ.");
        Assert.Equal("The passwords differ.", NasPlatform.Web.Security.AccountEndpoints.ReadError(protection, sealedMessage));
    }

    [Fact]
    public async Task RepeatedWrongPasswords_LockTheAccount_ButNotItsTokens()
    {
        string email = $"lock-{Guid.NewGuid():N}@tests.local";
        var (_, token) = await factory.CreateUserWithTokenAsync(email);
        using var client = Browserish();
        for (int i = 0; i < 5; i++)
            Assert.Contains("error=invalid", (await LogInAsync(client, email, "wrong password")).Headers.Location!.OriginalString.Replace("error=locked", "error=invalid"));
        var locked = await LogInAsync(client, email, PlatformFactory.Password);
        Assert.Contains("error=locked", locked.Headers.Location!.OriginalString);
        var page = await client.GetStringAsync(locked.Headers.Location!.OriginalString);
        Assert.Contains("locked", page);
        // Whoever typed the wrong passwords cannot cut the account's pipelines off.
        using var api = factory.ApiAs(token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/datasets")).StatusCode);
    }

    [Fact]
    public async Task Setup_AndRegistration_AreClosed_OnceAnAdministratorExists()
    {
        using var client = Browserish();
        Assert.Contains("already set up", await client.GetStringAsync("/setup"));
        Assert.Contains("Registration is closed", await client.GetStringAsync("/register"));
        string email = $"intruder-{Guid.NewGuid():N}@tests.local";
        var setup = await PostFormAsync(client, "/login", "/account/setup", new() { ["Email"] = email, ["Password"] = "long enough password", ["ConfirmPassword"] = "long enough password" });
        var protection = factory.Services.GetRequiredService<IDataProtectionProvider>();
        var error = System.Web.HttpUtility.ParseQueryString(new Uri(factory.BaseAddress, setup.Headers.Location!).Query)["error"];
        Assert.Contains("already set up", NasPlatform.Web.Security.AccountEndpoints.ReadError(protection, error));
        var register = await PostFormAsync(client, "/login", "/account/register", new() { ["Email"] = email, ["Password"] = "long enough password", ["ConfirmPassword"] = "long enough password" });
        Assert.Equal("/register", register.Headers.Location!.OriginalString);
        await using var db = factory.Db();
        Assert.False(db.Users.Any(u => u.Email == email));
    }

    [Fact]
    public async Task AccountForms_WithoutTheAntiforgeryToken_AreRefused()
    {
        using var client = Browserish();
        await client.GetAsync("/login"); // has the antiforgery cookie, but posts no token
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = PlatformFactory.OwnerEmail, ["Password"] = PlatformFactory.Password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login?error=expired", response.Headers.Location!.OriginalString);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("nas.auth=") && !c.StartsWith("nas.auth=;")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/datasets")).StatusCode);
    }

    [Fact]
    public async Task LogInFormRendered_BeforeTheSessionEnded_AsksAgain_InsteadOfFailing()
    {
        string email = $"stale-{Guid.NewGuid():N}@tests.local";
        var (userId, _) = await factory.CreateUserWithTokenAsync(email);
        using var client = Browserish();
        await LogInAsync(client, email, PlatformFactory.Password);
        var html = await client.GetStringAsync("/login"); // its token belongs to the signed-in user
        var staleToken = AccountForms.TokenIn(html);

        // The session ends meanwhile (here: the account's security stamp changes).
        var accounts = factory.Services.GetRequiredService<AccountService>();
        var byAdmin = await AdminAsync(accounts);
        await accounts.SetDisabledAsync(userId, true, byAdmin, CancellationToken.None);
        await accounts.SetDisabledAsync(userId, false, byAdmin, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var stale = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = staleToken, ["Email"] = email, ["Password"] = PlatformFactory.Password, ["ReturnUrl"] = "/",
        }));
        Assert.Equal("/login?error=expired", stale.Headers.Location!.OriginalString);
        Assert.Contains("expired", await client.GetStringAsync("/login?error=expired"));
        Assert.Equal("/", (await LogInAsync(client, email, PlatformFactory.Password)).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task HangfireDashboard_IsForAdministratorsOnly()
    {
        using var anonymous = Browserish();
        var response = await anonymous.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery);

        using var user = Browserish();
        await LogInAsync(user, PlatformFactory.OwnerEmail, PlatformFactory.Password);
        var denied = await user.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/denied", denied.Headers.Location!.PathAndQuery);

        using var admin = Browserish();
        await LogInAsync(admin, PlatformFactory.AdminEmail, PlatformFactory.Password);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/hangfire")).StatusCode);
    }

    [Fact]
    public async Task Responses_CarrySecurityHeaders()
    {
        using var client = Browserish();
        var response = await client.GetAsync("/login");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("nas.auth", string.Join(";", (await LogInAsync(client, PlatformFactory.OwnerEmail, PlatformFactory.Password)).Headers.GetValues("Set-Cookie")));
    }

    [Fact]
    public async Task Hub_RefusesAnonymous_AndHidesOtherUsersSearches()
    {
        await using (var anonymous = factory.Hub(null))
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.StartAsync());

        var a = await factory.FinishedSearchAsync(factory.OwnerId);
        var (_, bToken) = await factory.CreateUserWithTokenAsync($"hub-{Guid.NewGuid():N}@tests.local");
        var ownerSaw = new TaskCompletionSource<SearchUpdate>(TaskCreationOptions.RunContinuationsAsynchronously);
        var otherSaw = new List<SearchUpdate>();
        await using var owner = factory.Hub(factory.OwnerToken);
        await using var other = factory.Hub(bToken);
        // The seeded running search has no trials, so the watchdog may move it on first: wait for the cancel itself.
        owner.On<SearchUpdate>("SearchChanged", u => { if (u.SearchId == a.RunningSearchId && u.Status == "cancelled") ownerSaw.TrySetResult(u); });
        other.On<SearchUpdate>("SearchChanged", u => { lock (otherSaw) otherSaw.Add(u); });
        await owner.StartAsync();
        await other.StartAsync();

        var refused = await Assert.ThrowsAsync<HubException>(() => other.InvokeAsync("WatchSearch", a.SearchId));
        Assert.Contains("does not exist", refused.Message);
        await owner.InvokeAsync("WatchSearch", a.SearchId);

        // The owner cancels their running search: they hear of it, the other user does not.
        using var api = factory.Api();
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/v1/searches/{a.RunningSearchId}/cancel", null)).StatusCode);
        Assert.Equal("cancelled", (await ownerSaw.Task.WaitAsync(TimeSpan.FromSeconds(10))).Status);
        await Task.Delay(500);
        lock (otherSaw) Assert.DoesNotContain(otherSaw, u => u.SearchId == a.RunningSearchId);
    }

    private HttpClient Browserish() => AccountForms.Browserish(factory.BaseAddress);

    /// <summary>The configured administrator, as the account service's caller.</summary>
    private async Task<Caller> AdminAsync(AccountService accounts) =>
        new((await accounts.FindByEmailAsync(PlatformFactory.AdminEmail, CancellationToken.None))!.Id, IsAdmin: true);

    private static Task<HttpResponseMessage> LogInAsync(HttpClient client, string email, string password, string returnUrl = "/") =>
        AccountForms.LogInAsync(client, email, password, returnUrl);

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient client, string page, string action, Dictionary<string, string> fields) =>
        AccountForms.PostAsync(client, page, action, fields);
}
