using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using NasPlatform.Web.Tests.Infrastructure;
using NasPlatform.Web.Tests.Toy;
using static Microsoft.Playwright.Assertions;

namespace NasPlatform.Web.Tests.Browser;

/// <summary>A study started through the API, read on its page.</summary>
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
}
