using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace NasPlatform.Benchmarks;

/// <summary>
/// A user's whole journey through a running platform, timed: zip an IDX folder, upload it in the
/// browser, launch a search from the form, wait on the search page until it succeeds, and print
/// the wall time, the final test accuracy and latency shown to the user. Screenshots on the way.
/// </summary>
public sealed class BrowserSearch(string url, string data, string screenshots, string email, string password)
{
    public async Task RunAsync(IReadOnlyDictionary<string, string> form, string name)
    {
        Directory.CreateDirectory(screenshots);
        var zip = Path.Combine(Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}.zip");
        ZipFile.CreateFromDirectory(data, zip, CompressionLevel.NoCompression, includeBaseDirectory: false);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("NAS_CHROMIUM") ?? "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = url, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        page.SetDefaultTimeout(120_000);
        try
        {
            await page.GotoAsync("/login?returnUrl=%2Fdatasets");
            await page.FillAsync("#email", email);
            await page.FillAsync("#password", password);
            await page.ClickAsync("#sign-in");
            await page.WaitForURLAsync("**/datasets", new() { WaitUntil = WaitUntilState.Commit });
            var total = Stopwatch.StartNew();
            await page.GetByTestId("circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.FillAsync("#dataset-name", name);
            await page.SelectOptionAsync("#dataset-format", "idx-zip");
            await page.SetInputFilesAsync("#dataset-file", zip);
            await page.ClickAsync("#upload-button");
            var row = page.GetByTestId("dataset-row").Filter(new() { HasText = name }).First;
            await Assertions.Expect(row.GetByTestId("dataset-status")).ToHaveTextAsync("ready", new() { Timeout = 600_000 });
            Console.WriteLine($"upload + ingestion: {total.Elapsed.TotalSeconds:F1} s ({new FileInfo(zip).Length / 1e6:F1} MB zip)");
            await Shot(page, "fmnist-1-dataset");

            await row.GetByTestId("dataset-link").ClickAsync();
            await page.ClickAsync("#new-search");
            await page.WaitForURLAsync(new Regex("/searches/new"), new() { WaitUntil = WaitUntilState.Commit });
            foreach (var (field, value) in form)
            {
                if (field is "search-strategy" or "search-constraint") await page.SelectOptionAsync("#" + field, value);
                else await page.FillAsync("#" + field, value);
            }
            await Shot(page, "fmnist-2-new-search");
            var search = Stopwatch.StartNew();
            await page.ClickAsync("#start-search");
            await page.WaitForURLAsync(new Regex("/searches/[0-9a-f-]{36}$"), new() { WaitUntil = WaitUntilState.Commit });
            Console.WriteLine($"search page: {page.Url}");
            await Assertions.Expect(page.GetByTestId("trial-row").First).ToBeVisibleAsync(new() { Timeout = 600_000 });
            await Shot(page, "fmnist-3-first-trial");
            await Assertions.Expect(page.GetByTestId("search-status")).ToHaveTextAsync(new Regex("succeeded|failed|cancelled"), new() { Timeout = 4 * 3600_000 });
            var status = await page.GetByTestId("search-status").InnerTextAsync();
            Console.WriteLine($"search {status}: {search.Elapsed.TotalMinutes:F1} min wall (whole journey {total.Elapsed.TotalMinutes:F1} min)");
            await Shot(page, "fmnist-4-search-done");
            if (status == "succeeded")
            {
                Console.WriteLine($"test accuracy: {await page.GetByTestId("model-test-metric").InnerTextAsync()}");
                Console.WriteLine($"latency: {await page.GetByTestId("model-latency").InnerTextAsync()}");
                await page.ClickAsync("#model-link");
                await page.GetByTestId("architecture-block").First.WaitForAsync();
                await Shot(page, "fmnist-5-model");
            }
        }
        finally
        {
            File.Delete(zip);
        }
    }

    private Task Shot(IPage page, string file) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, file + ".png"), FullPage = true });

    /// <summary>Form fields of the new-search page from the command line (--latency-ms 3 -> #latency-budget = 3).</summary>
    public static Dictionary<string, string> Form(Func<string, string?> arg)
    {
        var form = new Dictionary<string, string>();
        void Map(string option, string field, string? fallback)
        {
            var value = arg(option) ?? fallback;
            if (value is not null) form[field] = value;
        }
        Map("--strategy", "search-strategy", "evolution");
        Map("--latency-ms", "latency-budget", "3");
        Map("--constraint", "search-constraint", null);
        Map("--trials", "max-trials", "8");
        Map("--minutes", "max-minutes", null);
        Map("--proxy-epochs", "proxy-epochs", "2");
        Map("--proxy-fraction", "proxy-fraction", "0.1");
        Map("--final-epochs", "final-epochs", "4");
        Map("--seed", "seed", "1");
        Map("--parallelism", "parallelism", null);
        return form;
    }
}
