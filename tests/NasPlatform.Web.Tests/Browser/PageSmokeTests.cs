using Microsoft.Playwright;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Browser;

[Collection(PlatformCollection.Name)]
public sealed class PageSmokeTests(PlatformFactory factory, BrowserSession browser)
{
    [Theory]
    [InlineData("/", "NasPlatform")]
    [InlineData("/datasets", "Datasets")]
    [InlineData("/searches", "Searches")]
    [InlineData("/searches/new", "New search")]
    [InlineData("/models", "Models")]
    [InlineData("/workers", "Workers")]
    [InlineData("/account/tokens", "API tokens")]
    [InlineData("/account/webhooks", "Webhooks")]
    [InlineData("/studies", "Studies")]
    [InlineData("/studies/new", "New study")]
    [InlineData("/devices", "Edge devices")]
    [InlineData("/account", "Account")]
    [InlineData("/admin/users", "Users")]
    public async Task EveryPage_RendersInteractively_WithoutErrors(string path, string heading)
    {
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = factory.BaseAddress.ToString() });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        try
        {
            await BrowserSession.SignInAsync(page, PlatformFactory.AdminEmail, PlatformFactory.Password);
            await page.GotoAsync(path);
            await Assertions.Expect(page.Locator("h1, h2, h3, h4, h5").Filter(new() { HasText = heading }).First).ToBeVisibleAsync();
            // The circuit is up when Blazor has replaced the prerendered page: the error bar stays hidden.
            await page.GetByTestId("circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
            Assert.Empty(errors);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task LogInPage_RendersWithoutErrors()
    {
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = factory.BaseAddress.ToString() });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        try
        {
            await page.GotoAsync("/login");
            await Assertions.Expect(page.Locator("h1").Filter(new() { HasText = "Sign in" })).ToBeVisibleAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            Assert.Empty(errors);
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
