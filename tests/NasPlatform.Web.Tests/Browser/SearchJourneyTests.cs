using System.IO.Compression;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NasPlatform.Web.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace NasPlatform.Web.Tests.Browser;

/// <summary>What a user does in the browser, end to end, on a real server and a real Chromium.</summary>
public abstract class SearchJourneyTests(PlatformFactory factory, BrowserSession browser, string shots) : IAsyncLifetime
{
    private IBrowserContext _context = null!;
    private IPage _page = null!;
    private readonly string _files = Directory.CreateTempSubdirectory("nas-browser-").FullName;

    public async Task InitializeAsync()
    {
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = factory.BaseAddress.ToString(), AcceptDownloads = true, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
        });
        _context.SetDefaultTimeout(60_000);
        _page = await _context.NewPageAsync();
        await BrowserSession.SignInAsync(_page, PlatformFactory.OwnerEmail, PlatformFactory.Password);
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        Directory.Delete(_files, recursive: true);
    }

    [Fact]
    public async Task UploadSearchWatchAndDownload_AllInTheBrowser()
    {
        var zip = Path.Combine(_files, "tiny-idx.zip");
        await File.WriteAllBytesAsync(zip, TestZips.TinyIdx());

        // Upload with progress; the new row turns ready by itself.
        await _page.GotoAsync("/datasets");
        await _page.GetByTestId("circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await _page.FillAsync("#dataset-name", "browser tiny");
        await _page.SetInputFilesAsync("#dataset-file", zip);
        await _page.ClickAsync("#upload-button");
        var row = _page.GetByTestId("dataset-row").Filter(new() { HasText = "browser tiny" });
        await Expect(row.GetByTestId("dataset-status")).ToHaveTextAsync("ready", new() { Timeout = 60_000 });
        await browser.ScreenshotAsync(_page, shots + "1-datasets-uploaded");

        await row.GetByTestId("dataset-link").ClickAsync();
        await Expect(_page.GetByTestId("class-sample-row")).ToHaveCountAsync(3);
        await browser.ScreenshotAsync(_page, shots + "2-dataset-detail");

        // Launch a 3-trial search from the dataset.
        await _page.ClickAsync("#new-search");
        await _page.WaitForURLAsync(new Regex("/searches/new"), new() { WaitUntil = WaitUntilState.Commit });
        await _page.SelectOptionAsync("#search-strategy", "random");
        await _page.FillAsync("#strategy-option-maxDuplicateRetries", "7");
        await _page.FillAsync("#latency-budget", "5");
        await _page.FillAsync("#max-trials", "3");
        await _page.FillAsync("#proxy-epochs", "1");
        await _page.FillAsync("#proxy-fraction", "1");
        await _page.FillAsync("#final-epochs", "1");
        // With IRLAS's topology prior: its weight and expert appear once it is chosen.
        await _page.SelectOptionAsync("#prior", "irlas");
        await _page.FillAsync("#prior-weight", "0.05");
        await _page.SelectOptionAsync("#prior-expert", "mobilenetv2-1x");
        await browser.ScreenshotAsync(_page, shots + "3-new-search", fullPage: false);
        await _page.ClickAsync("#start-search");
        // Blazor navigates inside the page (history API): there is no load event to wait for, and a
        // navigation event can be missed under load, so wait for the search page itself.
        try
        {
            await _page.GetByTestId("search-status").WaitForAsync(new() { Timeout = 30_000 });
            Assert.Matches(new Regex("/searches/[0-9a-f-]{36}$"), _page.Url);
        }
        catch (TimeoutException)
        {
            await browser.ScreenshotAsync(_page, shots + "3-start-did-not-navigate");
            throw new TimeoutException($"Start search did not open the search page; the form shows: {await _page.InnerTextAsync(".mud-main-content")} (error bar visible: {await _page.IsVisibleAsync("#blazor-error-ui")})");
        }

        // From here on the page must update itself: a reload would drop this marker.
        await _page.EvaluateAsync("() => window.__notReloaded = true");
        await Expect(_page.GetByTestId("search-strategy")).ToContainTextAsync("maxDuplicateRetries 7");
        await Expect(_page.GetByTestId("search-objective")).ToContainTextAsync("irlas topology prior x 0.05 (expert mobilenetv2-1x)");
        await Expect(_page.GetByTestId("trial-row").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        // At least one: two trials may finish within one refresh.
        await Expect(_page.GetByTestId("scatter-count")).ToContainTextAsync(new Regex(@"^[1-9]\d* trials plotted"), new() { Timeout = 120_000 });
        await browser.ScreenshotAsync(_page, shots + "4-search-running");
        await Expect(_page.GetByTestId("search-status")).ToHaveTextAsync("succeeded", new() { Timeout = 240_000 });
        await Expect(_page.GetByTestId("trial-row")).ToHaveCountAsync(3);
        await Expect(_page.GetByTestId("trial-prior").First).ToContainTextAsync("prior +0.0");
        await Expect(_page.GetByTestId("scatter-count")).ToContainTextAsync("3 trials plotted");
        Assert.True(await _page.EvaluateAsync<bool>("() => window.__notReloaded === true"), "the search page reloaded instead of updating live");
        await Expect(_page.GetByTestId("best-model")).ToBeVisibleAsync();
        await Expect(_page.GetByTestId("curves-title")).ToContainTextAsync("Trial #");
        await browser.ScreenshotAsync(_page, shots + "5-search-succeeded");

        // Download the model from the search page: a zip with weights, architecture and card.
        var download = await _page.RunAndWaitForDownloadAsync(() => _page.ClickAsync("#download-model"));
        var saved = Path.Combine(_files, "model.zip");
        await download.SaveAsAsync(saved);
        using (var archive = ZipFile.OpenRead(saved))
            Assert.Equal(["architecture.json", "model-card.json", "model-card.md", "model.bin", "model.onnx", "model.pt", "model.py"],
                archive.Entries.Select(e => e.FullName).Order().ToArray());

        await _page.ClickAsync("#model-link");
        await Expect(_page.GetByTestId("architecture-block").First).ToBeVisibleAsync();
        // The model page says how the ONNX file was checked and offers it alone.
        await Expect(_page.GetByTestId("model-onnx")).ToContainTextAsync("opset 17, checked with ONNX Runtime");
        var onnx = await _page.RunAndWaitForDownloadAsync(() => _page.ClickAsync("#download-onnx"));
        Assert.EndsWith(".onnx", onnx.SuggestedFilename);
        await browser.ScreenshotAsync(_page, shots + "6-model-detail");
    }

    [Fact]
    public async Task BadUploadAndBadSearch_ShowTheirReasons()
    {
        var notZip = Path.Combine(_files, "notes.zip");
        await File.WriteAllTextAsync(notZip, "this is not an archive");
        await _page.GotoAsync("/datasets");
        await _page.GetByTestId("circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await _page.FillAsync("#dataset-name", "not a zip");
        await _page.SetInputFilesAsync("#dataset-file", notZip);
        await _page.ClickAsync("#upload-button");
        await Expect(_page.GetByTestId("upload-error")).ToContainTextAsync("not a zip archive");
        await Expect(_page.GetByTestId("dataset-row").Filter(new() { HasText = "not a zip" })).ToHaveCountAsync(0);
        await browser.ScreenshotAsync(_page, shots + "7-upload-refused");

        await _page.GotoAsync("/searches/new");
        await _page.GetByTestId("circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await _page.FillAsync("#latency-budget", "0");
        await _page.FillAsync("#max-trials", "0");
        await _page.ClickAsync("#start-search");
        await Expect(_page.GetByTestId("search-validation")).ToBeVisibleAsync();
        await Expect(_page.GetByText("The latency budget must be a positive number of milliseconds.")).ToBeVisibleAsync();
        await Expect(_page.GetByText("The trial budget must be between 1 and 10000.")).ToBeVisibleAsync();
        Assert.EndsWith("/searches/new", _page.Url);
        await browser.ScreenshotAsync(_page, shots + "8-search-refused");
    }
}

[Collection(PlatformCollection.Name)]
public sealed class SearchJourneyTestsOnSqlite(PlatformFactory factory, BrowserSession browser) : SearchJourneyTests(factory, browser, "");

[Collection(PostgresCollection.Name)]
public sealed class SearchJourneyTestsOnPostgres(PostgresPlatformFactory factory, BrowserSession browser) : SearchJourneyTests(factory, browser, "postgres-");
