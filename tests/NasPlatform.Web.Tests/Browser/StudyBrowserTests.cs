using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using NasPlatform.Web.Tests.Infrastructure;
using NasPlatform.Web.Tests.Toy;
using static Microsoft.Playwright.Assertions;

namespace NasPlatform.Web.Tests.Browser;

/// <summary>A study started through the API, read on its page; a study started from the form.</summary>
[Collection(PlatformCollection.Name)]
public sealed class StudyBrowserTests(PlatformFactory factory, BrowserSession browser)
{
    [Fact]
    public async Task AFinishedStudy_ShowsEachStrategysFiguresOverSeeds_ItsCurves_AndLinksToItsSearches()
    {
        var client = new PlatformClient(factory);
        var dataset = await client.UploadAndWaitAsync(TestZips.TinyIdx(), "study page data");
        var response = await client.Http.PostAsJsonAsync("/api/v1/studies", new
        {
            name = $"page study {Guid.NewGuid():N}"[..18], strategies = new[] { "random", "evolution" },
            strategyOptions = new { evolution = new { populationSize = 2, sampleSize = 2 } },
            search = new
            {
                datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 5.0, searchSpace = ToySpace.SpaceName, objective = ToyObjective.ObjectiveName,
                maxTrials = 3, finalEpochs = 1, parallelism = 1,
            },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var study = await client.WaitForAsync($"/api/v1/studies/{id}", s => s["searchesFinished"]!.GetValue<int>() == 6, TimeSpan.FromMinutes(4));

        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = factory.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1400, Height = 1200 },
        });
        try
        {
            var page = await context.NewPageAsync();
            await BrowserSession.SignInAsync(page, PlatformFactory.OwnerEmail, PlatformFactory.Password, "/studies");
            await page.GetByRole(AriaRole.Link, new() { Name = study["name"]!.GetValue<string>() }).ClickAsync();
            await Expect(page.GetByTestId("study-name")).ToHaveTextAsync(study["name"]!.GetValue<string>());
            foreach (var strategy in study["summary"]!.AsArray())
            {
                var row = page.Locator($"[data-testid=study-strategy][data-strategy={strategy!["strategy"]!.GetValue<string>()}]");
                double mean = strategy["bestReward"]!["mean"]!.GetValue<double>(), std = strategy["bestReward"]!["std"]!.GetValue<double>();
                await Expect(row.GetByTestId("stat-reward")).ToHaveTextAsync(FormattableString.Invariant($"{mean:0.0000} ± {std:0.0000}"));
                await Expect(row.GetByRole(AriaRole.Link, new() { Name = "seed 3" })).ToBeVisibleAsync();
            }
            await Expect(page.GetByTestId("study-chart")).ToHaveCountAsync(2);
            await Expect(page.Locator("[data-testid=study-chart] .scatterlayer .trace").First).ToBeAttachedAsync();
            await Expect(page.Locator("[data-testid=study-fronts] .scatterlayer .trace")).ToHaveCountAsync(2);
            await browser.ScreenshotAsync(page, "12-study", fullPage: true);

            // Each seed's search links back to its study.
            await page.Locator("[data-testid=study-strategy][data-strategy=evolution]").GetByRole(AriaRole.Link, new() { Name = "seed 2" }).ClickAsync();
            await Expect(page.GetByTestId("search-study")).ToContainTextAsync("strategy evolution, seed 2");
            await page.GetByTestId("search-study").ClickAsync();
            await Expect(page.GetByTestId("study-name")).ToHaveTextAsync(study["name"]!.GetValue<string>());
        }
        finally
        {
            await context.DisposeAsync();
        }
    }

    [Fact]
    public async Task TheStudyForm_RefusesTooFewSeedsAndNoStrategy_ThenStartsOneSearchPerStrategyAndSeed()
    {
        var client = new PlatformClient(factory);
        var dataset = await client.UploadAndWaitAsync(TestZips.TinyIdx(), "study form data");
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = factory.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1400, Height = 1400 },
        });
        try
        {
            var page = await context.NewPageAsync();
            await BrowserSession.SignInAsync(page, PlatformFactory.OwnerEmail, PlatformFactory.Password, "/studies");
            await page.ClickAsync("#new-study");
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/studies/new"), new() { WaitUntil = WaitUntilState.Commit });
            await page.GetByTestId("circuit-ready").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Expect(page.GetByTestId("study-intro")).ToBeVisibleAsync();
            await page.SelectOptionAsync("#search-dataset", dataset["id"]!.GetValue<string>());
            await page.SelectOptionAsync("#search-space", ToySpace.SpaceName);
            await page.SelectOptionAsync("#search-objective", ToyObjective.ObjectiveName);
            await page.FillAsync("#latency-budget", "5");
            await page.FillAsync("#max-trials", "1");
            await page.FillAsync("#final-epochs", "1");
            await page.FillAsync("#parallelism", "1");
            string name = $"form study {Guid.NewGuid():N}"[..18];
            await page.FillAsync("#search-name", name);

            // Nothing checked and two seeds: both refused, nothing started.
            var strategies = page.GetByTestId("study-strategies");
            await strategies.GetByRole(AriaRole.Checkbox, new() { Name = "random", Exact = true }).UncheckAsync();
            await strategies.GetByRole(AriaRole.Checkbox, new() { Name = "evolution", Exact = true }).UncheckAsync();
            await page.FillAsync("#study-seeds", "7, 8");
            await page.ClickAsync("#start-study");
            await Expect(page.GetByTestId("error-strategies")).ToContainTextAsync("strategies names 1 to");
            await Expect(page.GetByText("seeds lists 3 to 10 distinct seeds", new() { Exact = false })).ToBeVisibleAsync();
            Assert.EndsWith("/studies/new", page.Url);
            await browser.ScreenshotAsync(page, "13-study-form-refused", fullPage: false);

            await strategies.GetByRole(AriaRole.Checkbox, new() { Name = "random", Exact = true }).CheckAsync();
            await page.FillAsync("#study-seeds", "7, 8, 9");
            await page.ClickAsync("#start-study");
            await Expect(page.GetByTestId("study-name")).ToHaveTextAsync(name, new() { Timeout = 30_000 });
            var id = Guid.Parse(page.Url.Split('/').Last());
            var study = await client.GetAsync($"/api/v1/studies/{id}");
            Assert.Equal(["random"], study["strategies"]!.AsArray().Select(s => s!.GetValue<string>()));
            Assert.Equal([7L, 8L, 9L], study["seeds"]!.AsArray().Select(s => s!.GetValue<long>()));
            Assert.Equal(3, study["searches"]!.GetValue<int>());
            Assert.Equal(5.0, study["latencyBudgetMs"]!.GetValue<double>());
            await client.WaitForAsync($"/api/v1/studies/{id}", s => s["searchesFinished"]!.GetValue<int>() == 3, TimeSpan.FromMinutes(3));
        }
        finally
        {
            await context.DisposeAsync();
        }
    }
}
