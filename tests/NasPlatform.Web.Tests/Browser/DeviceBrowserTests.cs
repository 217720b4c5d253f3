using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NasPlatform.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace NasPlatform.Web.Tests.Browser;

/// <summary>Registering an edge device in the browser, its agent coming online, choosing it in the search form, deleting it.</summary>
[Collection(PlatformCollection.Name)]
public sealed class DeviceBrowserTests(PlatformFactory factory, BrowserSession browser)
{
    [Fact]
    public async Task ADeviceAddedOnThePage_ShowsItsToken_GoesOnlineWithItsAgent_IsOfferedByTheSearchForm_AndIsDeleted()
    {
        string name = $"ui-{Guid.NewGuid():N}"[..11];
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = factory.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
        });
        try
        {
            var page = await context.NewPageAsync();
            await BrowserSession.SignInAsync(page, PlatformFactory.OwnerEmail, PlatformFactory.Password, "/devices");
            await page.GetByTestId("circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.FillAsync("#device-name", "Bad Name");
            await page.ClickAsync("#create-device");
            await Expect(page.GetByTestId("device-error")).ToContainTextAsync("device name");

            await page.FillAsync("#device-name", name);
            await page.ClickAsync("#create-device");
            var command = await page.GetByTestId("device-command").InnerTextAsync();
            var token = Regex.Match(command, "NAS_AGENT_TOKEN=(nasd_[0-9a-f]+)").Groups[1].Value;
            Assert.NotEmpty(token);
            var row = page.Locator($"[data-testid=device-row][data-name={name}]");
            await Expect(row.GetByTestId("device-online")).ToHaveTextAsync("offline");
            await browser.ScreenshotAsync(page, "14-devices", fullPage: false);

            // The agent's hello (what NasPlatform.Agent sends first) puts the device online.
            using var agent = new HttpClient { BaseAddress = factory.BaseAddress };
            agent.DefaultRequestHeaders.Add("X-Device-Token", token);
            (await agent.PostAsJsonAsync("/api/v1/agent/hello", new { agent = "browser-test", hardware = "Linux; Arm64; 4 cores" })).EnsureSuccessStatusCode();
            await page.ReloadAsync();
            await Expect(row.GetByTestId("device-online")).ToHaveTextAsync("online");
            await Expect(row).ToContainTextAsync("Arm64");

            await page.GotoAsync("/searches/new");
            await page.GetByTestId("circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Expect(page.Locator($"#latency-device option[value='agent:{name}']")).ToHaveTextAsync($"agent:{name} (online)");

            await page.GotoAsync("/devices");
            await page.GetByTestId("circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await row.GetByTestId("delete-device").ClickAsync();
            await Expect(row).ToHaveCountAsync(0);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await agent.PostAsJsonAsync("/api/v1/agent/hello", new { agent = "x" })).StatusCode);
        }
        finally
        {
            await context.DisposeAsync();
        }
    }
}
