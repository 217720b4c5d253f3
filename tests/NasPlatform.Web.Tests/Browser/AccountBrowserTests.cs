using Microsoft.Extensions.DependencyInjection;
using System.Net;
using Microsoft.Playwright;
using NasPlatform.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace NasPlatform.Web.Tests.Browser;

/// <summary>Signing in and out, and managing API tokens, in a real browser.</summary>
[Collection(PlatformCollection.Name)]
public sealed class AccountBrowserTests(PlatformFactory factory, BrowserSession browser) : IAsyncLifetime
{
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = factory.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
        });
        _context.SetDefaultTimeout(30_000);
        _page = await _context.NewPageAsync();
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task AnonymousVisitor_IsSentToLogIn_AndBackAfterSigningIn_ThenSignsOut()
    {
        await _page.GotoAsync("/searches");
        await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?.*returnUrl=%2Fsearches", System.Text.RegularExpressions.RegexOptions.IgnoreCase));

        await _page.Locator("#email").FillAsync(PlatformFactory.OwnerEmail);
        await _page.Locator("#password").FillAsync("wrong password");
        await _page.Locator("#sign-in").ClickAsync();
        await Expect(_page.GetByTestId("login-error")).ToContainTextAsync("wrong");
        await browser.ScreenshotAsync(_page, "09-login-error");

        await _page.Locator("#email").FillAsync(PlatformFactory.OwnerEmail);
        await _page.Locator("#password").FillAsync(PlatformFactory.Password);
        await _page.Locator("#sign-in").ClickAsync();
        await _page.WaitForURLAsync("**/searches", new() { WaitUntil = WaitUntilState.Commit });
        await _page.GetByTestId("circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Expect(_page.GetByTestId("signed-in-as")).ToHaveTextAsync(PlatformFactory.OwnerEmail);
        // Not an administrator: no Users or Jobs links.
        await Expect(_page.GetByRole(AriaRole.Link, new() { Name = "Jobs" })).ToHaveCountAsync(0);

        await _page.Locator("#sign-out").ClickAsync();
        await _page.WaitForURLAsync("**/login?signedOut=1");
        await _page.GotoAsync("/datasets");
        await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"));
    }

    [Fact]
    public async Task SignedInUser_CreatesAToken_SeesItListed_UsesIt_AndRevokesIt()
    {
        await BrowserSession.SignInAsync(_page, PlatformFactory.OwnerEmail, PlatformFactory.Password, "/account/tokens");
        string name = $"ci-{Guid.NewGuid():N}"[..12];
        await _page.Locator("#token-name").FillAsync(name);
        await _page.Locator("#create-token").ClickAsync();
        var secretText = await _page.GetByTestId("token-secret").TextContentAsync();
        string secret = secretText!.Trim();
        Assert.StartsWith("nas_", secret);
        var row = _page.Locator($"[data-testid=token-row][data-name='{name}']");
        await Expect(row).ToBeVisibleAsync();
        await Expect(row).ToContainTextAsync("read-write");
        await Expect(row.GetByTestId("token-status")).ToHaveTextAsync("active");
        await Expect(row).ToContainTextAsync(secret[..12]);
        await browser.ScreenshotAsync(_page, "10-token-created", fullPage: false);

        using var api = factory.ApiAs(secret);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/datasets")).StatusCode);

        await row.GetByTestId("revoke-token").ClickAsync();
        await Expect(row.GetByTestId("token-status")).ToHaveTextAsync("revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/datasets")).StatusCode);

        // Reloaded, the secret is gone for good: only its prefix is listed.
        await _page.ReloadAsync();
        await _page.GetByTestId("circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Expect(_page.GetByTestId("token-secret")).ToHaveCountAsync(0);
        Assert.DoesNotContain(secret, await _page.ContentAsync());
    }

    [Fact]
    public async Task SignedInUser_AddsAWebhook_SeesItsSignedDeliveries_AndDeletesIt()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 200);
        await BrowserSession.SignInAsync(_page, PlatformFactory.OwnerEmail, PlatformFactory.Password, "/account/webhooks");
        await _page.Locator("#webhook-url").FillAsync("ftp://example.com/hook");
        await _page.Locator("#create-webhook").ClickAsync();
        await Expect(_page.GetByTestId("webhook-error")).ToContainTextAsync("http or https");

        string url = $"{receiver.Url}?browser={Guid.NewGuid():N}";
        await _page.Locator("#webhook-url").FillAsync(url);
        await _page.GetByRole(AriaRole.Checkbox, new() { Name = "search.failed", Exact = true }).CheckAsync();
        await _page.Locator("#create-webhook").ClickAsync();
        string secret = (await _page.GetByTestId("webhook-secret").TextContentAsync())!.Trim();
        Assert.StartsWith("whsec_", secret);
        var row = _page.Locator($"[data-testid=webhook-row][data-url='{url}']");
        await Expect(row).ToContainTextAsync("search.failed");

        var webhooks = factory.Services.GetRequiredService<NasPlatform.Platform.Webhooks.WebhookService>();
        await webhooks.RecordAsync(factory.OwnerId, "search.failed", $"search.failed:{Guid.NewGuid()}", id => $"{{\"id\":\"{id}\"}}", CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (receiver.All.Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        var received = Assert.Single(receiver.All);
        Assert.True(NasPlatform.Platform.Webhooks.WebhookSignature.Verify(secret, received.Signature, received.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));

        var me = new NasPlatform.Platform.Accounts.Caller(factory.OwnerId, false);
        var hookId = (await webhooks.ListAsync(me, CancellationToken.None)).Single(h => h.Url == url).Id;
        while ((await webhooks.DeliveriesAsync(me, hookId, 10, CancellationToken.None))!.Any(d => d.Status != "delivered") && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        await row.GetByTestId("show-deliveries").ClickAsync();
        await Expect(_page.GetByTestId("delivery-status").First).ToHaveTextAsync("delivered");
        await Expect(_page.GetByTestId("delivery-row").First).ToContainTextAsync("search.failed");
        await browser.ScreenshotAsync(_page, "11-webhook-deliveries", fullPage: false);

        await row.GetByTestId("delete-webhook").ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Administrator_CreatesAnAccount_ThatSignsIn_ThenDisablesIt()
    {
        await BrowserSession.SignInAsync(_page, PlatformFactory.AdminEmail, PlatformFactory.Password, "/admin/users");
        string email = $"new-{Guid.NewGuid():N}"[..12] + "@tests.local";
        await _page.Locator("#user-email").FillAsync(email);
        await _page.Locator("#user-password").FillAsync("first password");
        await _page.Locator("#create-user").ClickAsync();
        await Expect(_page.GetByTestId("user-message")).ToContainTextAsync($"Created {email}");
        var row = _page.Locator($"[data-testid=user-row][data-email='{email}']");
        await Expect(row.GetByTestId("user-status")).ToHaveTextAsync("active");

        // The new user signs in (own browser) and holds a token.
        await using var theirs = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = factory.BaseAddress.ToString() });
        var page = await theirs.NewPageAsync();
        await BrowserSession.SignInAsync(page, email, "first password", "/account");
        await Expect(page.GetByTestId("account-email")).ToHaveTextAsync(email);
        await using var db = factory.Db();
        var userId = db.Users.Single(u => u.Email == email).Id;
        using var api = factory.ApiAs(await factory.CreateTokenAsync(userId));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/datasets")).StatusCode);

        await row.GetByTestId("disable-user").ClickAsync();
        await Expect(row.GetByTestId("user-status")).ToHaveTextAsync("disabled");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/datasets")).StatusCode);
        // The open page notices within the re-check interval (a second here) and sends the browser to log in.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login"), new() { Timeout = 15_000 });
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync("first password");
        await page.Locator("#sign-in").ClickAsync();
        await Expect(page.GetByTestId("login-error")).ToContainTextAsync("locked");
    }
}
