using System.IO.Compression;
using System.Net;
using NasPlatform.Engine.Spaces.Darts;
using NasPlatform.Web.Tests.Browser;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Platform;

/// <summary>DARTS through the API on tiny data: one supernet job, stopped midway and resumed from its last epoch, then a model.</summary>
public abstract class DartsSearchTests(PlatformFactory factory, BrowserSession browser)
{
    private readonly PlatformClient _client = new(factory);

    [Fact]
    public async Task ADartsSearch_StoppedMidway_ResumesFromItsLastEpoch_AndEndsWithTheDerivedCellsAsAModel()
    {
        const int epochs = 15;
        var dataset = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "darts data");
        var response = await _client.StartSearchAsync(new
        {
            datasetId = dataset["id"]!.GetValue<Guid>(), latencyBudgetMs = 50.0, searchSpace = DartsSearchSpace.SpaceName,
            spaceOptions = new { cells = 3, channels = 4 }, strategy = "darts", strategyOptions = new { dartsOrder = 1 },
            proxyEpochs = epochs, proxyFraction = 1.0, batchSize = 16, finalEpochs = 1, seed = 5,
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();

        // The worker is stopped once an epoch is checkpointed: what a killed worker leaves behind.
        var checkpoint = $"searches/{id}/one-shot.ckpt";
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!factory.Blobs.Exists(checkpoint) && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True(factory.Blobs.Exists(checkpoint), "no epoch was checkpointed");
        Assert.Equal(HttpStatusCode.OK, (await _client.Http.PostAsync($"/api/v1/searches/{id}/cancel", null)).StatusCode);
        var stopped = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(2));
        Assert.True(stopped["status"]!.GetValue<string>() == "cancelled", stopped.ToJsonString());
        Assert.True(factory.Blobs.Exists(checkpoint));
        // Jobs see a cancel within a second (SearchCancellation polls); a resume before that would let the old job go on.
        await Task.Delay(2500);

        Assert.Equal(HttpStatusCode.OK, (await _client.Http.PostAsync($"/api/v1/searches/{id}/resume", null)).StatusCode);
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(4));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
        Assert.Equal("one-shot", search["kind"]!.GetValue<string>());

        // The resumed job ran only the epochs after its checkpoint, up to the last.
        var trial = Assert.Single((await _client.GetAsync($"/api/v1/searches/{id}/trials"))["items"]!.AsArray())!;
        var ran = trial["history"]!.AsArray().Select(h => h!["epoch"]!.GetValue<int>()).ToList();
        Assert.True(ran[0] > 1, $"the resumed run started again at epoch {ran[0]}");
        Assert.Equal(Enumerable.Range(ran[0], epochs - ran[0] + 1), ran);
        var arch = DartsArchitecture.FromJson(trial["architecture"]!.ToJsonString());
        Assert.Equal((3, 4), (arch.Cells, arch.Channels));

        var modelId = search["modelId"]!.GetValue<Guid>();
        var download = await _client.Http.GetAsync($"/api/v1/models/{modelId}/download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        using var zip = new ZipArchive(new MemoryStream(await download.Content.ReadAsByteArrayAsync()));
        Assert.NotNull(zip.GetEntry("model.bin"));
        Assert.NotNull(zip.GetEntry("model.onnx"));
        Assert.NotNull(zip.GetEntry("model.py"));
        using (var card = new StreamReader(zip.GetEntry("model-card.md")!.Open()))
        {
            var text = await card.ReadToEndAsync();
            Assert.Equal(2, text.Split("```mermaid").Length - 1);
            Assert.Contains($"s{arch.Normal[0].From} -- {arch.Normal[0].Op} --> s2", text);
        }

        // The search page shows the supernet's run: the last epoch, the cells it derives, each edge's op weights over the epochs;
        // the model page draws the model's two cells.
        var page = await browser.Browser.NewPageAsync(new Microsoft.Playwright.BrowserNewPageOptions { BaseURL = factory.BaseAddress.ToString() });
        try
        {
            await BrowserSession.SignInAsync(page, PlatformFactory.AdminEmail, PlatformFactory.Password);
            await page.GotoAsync($"/searches/{id}");
            await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("supernet-progress")).ToContainTextAsync($"Epoch {epochs} / {epochs}");
            var supernet = page.GetByTestId("supernet");
            await Microsoft.Playwright.Assertions.Expect(supernet.GetByTestId("cell-graph")).ToHaveCountAsync(2);
            await Microsoft.Playwright.Assertions.Expect(supernet.GetByTestId("alpha-chart")).ToHaveCountAsync(2 * Engine.OneShot.Darts.DartsSupernet.Edges);
            await browser.ScreenshotAsync(page, "darts-search");
            await page.GotoAsync($"/models/{modelId}");
            await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("cell-graph")).ToHaveCountAsync(2);
            await Microsoft.Playwright.Assertions.Expect(page.GetByTestId("cell-edge")).ToHaveCountAsync(2 * 2 * DartsArchitecture.Nodes);
            await browser.ScreenshotAsync(page, "darts-model");
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}

[Collection(PlatformCollection.Name)]
public sealed class DartsSearchTestsOnSqlite(PlatformFactory factory, BrowserSession browser) : DartsSearchTests(factory, browser);
