using Microsoft.Playwright;

namespace NasPlatform.Web.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright, headless. Playwright's own browser download does not work
/// on these machines, so the system browser is required: tests/run.sh installs it when missing, and
/// without it these tests fail with that explanation rather than skip.
/// </summary>
public sealed class BrowserSession : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: TestResults/screenshots at the repository root (kept by CI as artifacts).</summary>
    public string ScreenshotFolder { get; } = Path.Combine(RepositoryRoot(), "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("NAS_CHROMIUM") ?? ChromiumPath;
        if (!File.Exists(executable))
            throw new InvalidOperationException($"Chromium is needed for the browser tests but {executable} does not exist: run tests/run.sh (it installs Debian's chromium package) or set NAS_CHROMIUM.");
        Directory.CreateDirectory(ScreenshotFolder);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }

    /// <param name="fullPage">
    /// A full-page shot resizes the viewport for a moment, which makes MudBlazor re-render its layout;
    /// take viewport shots right before clicking, or the click can land mid-render.
    /// </param>
    public Task ScreenshotAsync(IPage page, string name, bool fullPage = true) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = fullPage });

    /// <summary>Signs in through the log-in page, as a user would, and waits until the app has taken over.</summary>
    public static async Task SignInAsync(IPage page, string email, string password, string returnPath = "/")
    {
        await page.GotoAsync($"/login?returnUrl={Uri.EscapeDataString(returnPath)}");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.Locator("#sign-in").ClickAsync();
        await page.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/login"));
        await page.GetByTestId("circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NasPlatform.sln"))) return dir.FullName;
        return Path.GetTempPath();
    }
}
