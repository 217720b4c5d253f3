using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Playwright;

namespace NasPlatform.Benchmarks;

/// <summary>
/// Issue 18's scale goal, measured: the platform started as the README starts it (its own data folder
/// and port), one search seeded with <c>trials</c> finished trials straight into its database, then
/// (1) a real Chromium opening the search page, timed until the trial table's first page and the
/// scatter with every trial are drawn, and (2) the REST API's paged trial list under random pages and
/// sort keys, timed per request (p50, p99, max).
/// </summary>
public sealed class TrialViews(string repositoryRoot, int trials, int pageLoads, int apiRequests, bool keep = false)
{
    private const string Email = "views@benchmark.local";
    private const string Password = "benchmark-password";

    public async Task RunAsync()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "nas-views-" + Guid.NewGuid().ToString("N"));
        int port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var host = StartPlatform(dataPath, url);
        try
        {
            await WaitReadyAsync(url, host);
            var seedClock = Stopwatch.StartNew();
            var seeded = await TrialSeeder.SeedAsync(dataPath, Email, trials);
            Console.WriteLine($"seeded {trials:N0} trials into one search in {seedClock.Elapsed.TotalSeconds:F1} s");
            await BrowserAsync(url, seeded);
            await ApiAsync(url, seeded);
        }
        finally
        {
            try { host.Kill(entireProcessTree: true); host.WaitForExit(10_000); } catch (InvalidOperationException) { }
            if (keep) Console.WriteLine($"data kept in {dataPath}");
            else try { Directory.Delete(dataPath, recursive: true); } catch (IOException) { }
        }
    }

    private Process StartPlatform(string dataPath, string url)
    {
        var start = new ProcessStartInfo("dotnet", ["run", "--no-build", "-c", "Release", "--project", "src/NasPlatform.Web", "--no-launch-profile"])
        {
            WorkingDirectory = repositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["Urls"] = url;
        start.Environment["NasPlatform__DataPath"] = dataPath;
        start.Environment["NasPlatform__Accounts__AdminEmail"] = Email;
        start.Environment["NasPlatform__Accounts__AdminPassword"] = Password;
        // Nothing to train: the worker would only poll.
        start.Environment["NasPlatform__Worker__InProcess"] = "false";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        // Drained so a chatty host never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) Console.Error.WriteLine($"[platform] {line}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(string url, Process host)
    {
        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (host.HasExited) throw new InvalidOperationException($"the platform exited with code {host.ExitCode}");
            try
            {
                if ((await client.GetAsync("/readyz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(500);
        }
        throw new TimeoutException("the platform did not become ready in 3 minutes");
    }

    private async Task BrowserAsync(string url, SeededSearch seeded)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("NAS_CHROMIUM") ?? "/usr/bin/chromium", Headless = true,
            // Software WebGL (SwiftShader) as on a machine without a GPU; the scatter of many trials is WebGL.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = url, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        page.SetDefaultTimeout(60_000);
        // Times taken inside the page from its navigation start: the first frame with the table's first page, and the end of
        // plotly's drawing of the scatter (its newPlot), so the figures carry no polling delay of the test driver.
        await page.AddInitScriptAsync(@"(() => {
            const marks = window.__marks = {};
            const tick = () => {
                if (!marks.table && document.querySelectorAll('[data-testid=trial-row]').length >= 25) marks.table = performance.now();
                if (!marks.table || !marks.scatter) requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
            let plotly;
            Object.defineProperty(window, 'Plotly', { configurable: true, get() { return plotly; }, set(v) {
                plotly = v;
                const newPlot = v.newPlot;
                v.newPlot = function (id, ...rest) {
                    const start = performance.now();
                    const result = newPlot.call(this, id, ...rest);
                    const element = typeof id === 'string' ? document.getElementById(id) : id;
                    if (element && element.closest('[data-testid=trial-scatter]'))
                        Promise.resolve(result).then(() => { marks.scatter = performance.now(); marks.draw = marks.scatter - start; });
                    return result;
                };
            } });
        })()");
        await page.GotoAsync("/login?returnUrl=%2Fsearches");
        await page.FillAsync("#email", Email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("#sign-in");
        await page.WaitForURLAsync("**/searches", new() { WaitUntil = WaitUntilState.Commit });

        var table = new List<double>();
        var scatter = new List<double>();
        // The first load warms the server's caches and the browser's script cache; it is printed, not counted.
        for (int i = 0; i <= pageLoads; i++)
        {
            await page.GotoAsync($"/searches/{seeded.SearchId}", new() { WaitUntil = WaitUntilState.Commit });
            await page.WaitForFunctionAsync("() => window.__marks.table && window.__marks.scatter", null, new() { Timeout = 60_000 });
            await Assertions.Expect(page.GetByTestId("scatter-count")).ToContainTextAsync($"{seeded.Succeeded} trials plotted");
            var marks = await page.EvaluateAsync<Dictionary<string, double>>("() => window.__marks");
            double tableMs = marks["table"], scatterMs = Math.Max(marks["table"], marks["scatter"]);
            Console.WriteLine($"page load {i}{(i == 0 ? " (warm-up)" : "")}: table {tableMs:F0} ms, table + scatter {scatterMs:F0} ms " +
                $"(plotly drawing the scatter: {marks["draw"]:F0} ms of it)");
            if (i == 0) continue;
            table.Add(tableMs);
            scatter.Add(scatterMs);
        }
        Console.WriteLine($"search page, {trials:N0} trials, {pageLoads} loads: table median {Percentile(table, 50):F0} ms (max {table.Max():F0}); " +
            $"table + scatter median {Percentile(scatter, 50):F0} ms (max {scatter.Max():F0}); goal < 1000 ms");
    }

    private async Task ApiAsync(string url, SeededSearch seeded)
    {
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", seeded.Token);
        string[] sorts = ["number", "metric", "latency", "reward", "params", "macs", "seconds", "status"];
        var random = new Random(18);
        int pages = (trials + 49) / 50;
        for (int i = 0; i < 20; i++) await GetAsync(client, $"/api/v1/searches/{seeded.SearchId}/trials?page=1&pageSize=50");
        var times = new List<double>(apiRequests);
        for (int i = 0; i < apiRequests; i++)
        {
            var path = $"/api/v1/searches/{seeded.SearchId}/trials?page={random.Next(1, pages + 1)}&pageSize=50" +
                $"&sort={sorts[random.Next(sorts.Length)]}&desc={(random.Next(2) == 1 ? "true" : "false")}";
            var clock = Stopwatch.StartNew();
            await GetAsync(client, path);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"API paged trial list (50 per page, random page and sort), {apiRequests} requests: p50 {Percentile(times, 50):F1} ms, " +
            $"p99 {Percentile(times, 99):F1} ms, max {times.Max():F1} ms; goal p99 <= 50 ms");
    }

    private static async Task GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{path}: {(int)response.StatusCode}");
        await response.Content.ReadAsByteArrayAsync();
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        int index = (int)Math.Ceiling(p / 100 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
