using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using NasPlatform.Engine.Spaces.AutoDeepLab;
using NasPlatform.Web.Tests.Browser;
using NasPlatform.Web.Tests.Infrastructure;
using SkiaSharp;
using static Microsoft.Playwright.Assertions;

namespace NasPlatform.Web.Tests.Api;

/// <summary>Segmentation through the platform: a zip of images, masks and classes.json uploaded, previewed with mask overlays, searched by Auto-DeepLab to a model.</summary>
public abstract class SegmentationPlatformTests(PlatformFactory factory, BrowserSession browser)
{
    private readonly PlatformClient _client = new(factory);

    [Fact]
    public async Task ASegmentationZip_BecomesASegmentationDataset_WithPixelSharesAndOverlaidPreviews_ThatTheDatasetPageShows()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.Zip(TestZips.SegmentationEntries(prefix: "demo/")), "masks");
        Assert.Equal("ready", dataset["status"]!.GetValue<string>());
        Assert.Equal("segmentation", dataset["task"]!.GetValue<string>());
        Assert.Equal("segmentation-zip", dataset["format"]!.GetValue<string>());
        Assert.Equal(4, dataset["numClasses"]!.GetValue<int>());
        Assert.Equal(40, dataset["trainCount"]!.GetValue<int>() + dataset["testCount"]!.GetValue<int>());
        var shares = dataset["pixelShares"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        Assert.Equal(4, shares.Count);
        Assert.Equal(1.0, shares.Sum(), 6);
        Assert.True(shares[0] > 0.3, "the background should hold most pixels");
        var counts = dataset["classCounts"]!.AsArray().Select(v => v!.GetValue<int>()).ToList();
        Assert.Equal(dataset["trainCount"]!.GetValue<int>(), counts[0]);

        // The items are grey, so any coloured pixel of a class's strip is its mask drawn over the image.
        var id = dataset["id"]!.GetValue<Guid>();
        using (var strip = SKBitmap.Decode(await _client.Http.GetByteArrayAsync($"/api/v1/datasets/{id}/preview/1")))
        {
            var pixels = strip.Pixels;
            Assert.Contains(pixels, p => p.Red != p.Green || p.Green != p.Blue);
        }

        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = factory.BaseAddress.ToString() });
        try
        {
            await BrowserSession.SignInAsync(page, PlatformFactory.AdminEmail, PlatformFactory.Password);
            await page.GotoAsync($"/datasets/{id}");
            await Expect(page.GetByTestId("dataset-task")).ToHaveTextAsync("segmentation");
            await Expect(page.GetByTestId("pixel-shares").Locator("tbody tr")).ToHaveCountAsync(4);
            await Expect(page.GetByText("Samples per class, masks drawn over the images")).ToBeVisibleAsync();
            var strips = page.GetByTestId("class-sample-row").Locator("img");
            await Expect(strips).ToHaveCountAsync(4);
            // Every overlay strip loaded as an image.
            await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.thumb-strip')].every(i => i.complete && i.naturalWidth > 0)");
            await browser.ScreenshotAsync(page, "segmentation-dataset");
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task ADemoSegmentationSet_IsMadeFromAGreyClassificationDataset_AndIngestedLikeAnUpload()
    {
        var source = await _client.UploadAndWaitAsync(TestZips.TinyIdx(), "grey items");
        var sourceId = source["id"]!.GetValue<Guid>();
        var response = await _client.Http.PostAsJsonAsync($"/api/v1/datasets/{sourceId}/segmentation-demo", new { count = 30, size = 24, seed = 2 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var demo = await _client.WaitForAsync($"/api/v1/datasets/{id}", d => d["status"]!.GetValue<string>() != "processing", TimeSpan.FromMinutes(1));
        Assert.True(demo["status"]!.GetValue<string>() == "ready", demo.ToJsonString());
        Assert.Equal("segmentation", demo["task"]!.GetValue<string>());
        Assert.Equal("grey items segmentation demo", demo["name"]!.GetValue<string>());
        Assert.Equal(source["numClasses"]!.GetValue<int>() + 1, demo["numClasses"]!.GetValue<int>());
        Assert.Equal(30, demo["trainCount"]!.GetValue<int>() + demo["testCount"]!.GetValue<int>());
        Assert.Equal([1, 24, 24], demo["inputShape"]!.AsArray().Select(v => v!.GetValue<int>()));

        // Only grey classification datasets hold items to place; bad sizes are refused by name.
        await PlatformClient.AssertProblemAsync(await _client.Http.PostAsJsonAsync($"/api/v1/datasets/{id}/segmentation-demo", new { }), 400, "not a grey classification dataset");
        await PlatformClient.AssertProblemAsync(await _client.Http.PostAsJsonAsync($"/api/v1/datasets/{sourceId}/segmentation-demo", new { size = 8 }), 400, "at least the items' size");
        await _client.AssertNoOrphansAsync();
    }

    public static IEnumerable<object[]> BadArchives()
    {
        var good = TestZips.SegmentationEntries(count: 10);
        var mask = good.First(e => e.Name.StartsWith("masks/", StringComparison.Ordinal));
        var image = good.First(e => e.Name.StartsWith("images/", StringComparison.Ordinal));
        // A colour that classes.json does not name: an unknown class.
        yield return [good.Select(e => e == mask ? e with { Data = Engine.Tests.Datasets.DatasetTestData.SolidImage(24, 24, new SKColor(1, 2, 3)) } : e).ToList(), mask.Name];
        yield return [good.Where(e => e != mask).ToList(), "has no mask"];
        yield return [good.Append(new TestZips.Entry("notes/readme.txt", "hi"u8.ToArray())).ToList(), "is not part of a segmentation dataset"];
        yield return [good.Select(e => e == image ? e with { Data = Engine.Tests.Datasets.DatasetTestData.SolidImage(20, 24, new SKColor(9, 9, 9)) } : e).ToList(), "is 20x24"];
    }

    [Theory]
    [MemberData(nameof(BadArchives))]
    public async Task AMalformedSegmentationZip_IsRefusedWithAMessageNamingTheProblem_AndLeavesNothingBehind(List<TestZips.Entry> entries, string message)
    {
        // What the names alone show is refused at upload (422); what needs decoding fails the dataset during ingestion.
        var response = await _client.UploadAsync(TestZips.Zip(entries), "bad masks");
        if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            var problem = await PlatformClient.AssertProblemAsync(response, 422, message);
            Assert.DoesNotContain(".part", problem["detail"]!.GetValue<string>());
        }
        else
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
            var dataset = await _client.WaitForAsync($"/api/v1/datasets/{id}", d => d["status"]!.GetValue<string>() != "processing", TimeSpan.FromMinutes(1));
            Assert.Equal("failed", dataset["status"]!.GetValue<string>());
            Assert.Contains(message, dataset["error"]!.GetValue<string>());
        }
        await _client.AssertNoOrphansAsync();
    }

    [Fact]
    public async Task AnAutoDeepLabSearch_OfASegmentationDataset_EndsInADownloadableModelScoredByMIoU()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.Zip(TestZips.SegmentationEntries(count: 50)), "seg search");
        var datasetId = dataset["id"]!.GetValue<Guid>();
        var settings = new { layers = 2, levels = 2, blocks = 1, channels = 4, asppChannels = 8 };

        // A segmentation dataset is searched for segmentation only, by spaces that build such networks.
        await PlatformClient.AssertProblemAsync(await _client.StartSearchAsync(new { datasetId, latencyBudgetMs = 50.0, task = "classification" }), 400, "segmentation only");
        await PlatformClient.AssertProblemAsync(await _client.StartSearchAsync(new { datasetId, latencyBudgetMs = 50.0, searchSpace = "mnasnet" }), 400, "autodeeplab");

        var response = await _client.StartSearchAsync(new
        {
            datasetId, latencyBudgetMs = 50.0, searchSpace = AutoDeepLabSearchSpace.SpaceName, spaceOptions = settings, strategy = "autodeeplab",
            proxyEpochs = 2, proxyFraction = 1.0, batchSize = 16, finalEpochs = 1, seed = 3,
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(4));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
        Assert.Equal("segmentation", search["task"]!.GetValue<string>());
        Assert.Equal("miou", search["metric"]!.GetValue<string>());

        var trial = Assert.Single((await _client.GetAsync($"/api/v1/searches/{id}/trials"))["items"]!.AsArray())!;
        var arch = AutoDeepLabArchitecture.FromJson(trial["architecture"]!.ToJsonString());
        Assert.Equal((1, 2), (arch.Blocks, arch.Path.Count));

        var modelId = search["modelId"]!.GetValue<Guid>();
        var model = await _client.GetAsync($"/api/v1/models/{modelId}");
        Assert.InRange(model["testMetric"]!.GetValue<double>(), 0, 1);
        var download = await _client.Http.GetAsync($"/api/v1/models/{modelId}/download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        using var zip = new ZipArchive(new MemoryStream(await download.Content.ReadAsByteArrayAsync()));
        Assert.NotNull(zip.GetEntry("model.bin"));
        Assert.NotNull(zip.GetEntry("model.onnx"));
        Assert.NotNull(zip.GetEntry("model.py"));
        using var card = new StreamReader(zip.GetEntry("model-card.md")!.Open());
        var text = await card.ReadToEndAsync();
        Assert.Contains("IoU per class on the test part", text);
        Assert.Contains("| background |", text);
        Assert.Contains("path 1/", text);

        // The search page shows the supernet's run like DARTS's: the one cell it derives and each edge's op weights.
        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = factory.BaseAddress.ToString() });
        try
        {
            await BrowserSession.SignInAsync(page, PlatformFactory.AdminEmail, PlatformFactory.Password);
            await page.GotoAsync($"/searches/{id}");
            var supernet = page.GetByTestId("supernet");
            await Expect(supernet.GetByTestId("cell-graph")).ToHaveCountAsync(1);
            await Expect(supernet.GetByTestId("alpha-chart")).ToHaveCountAsync(Engine.OneShot.Darts.SuperCell.EdgeCount(1));
            await browser.ScreenshotAsync(page, "autodeeplab-search");
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}

[Collection(PlatformCollection.Name)]
public sealed class SegmentationPlatformTestsOnSqlite(PlatformFactory factory, BrowserSession browser) : SegmentationPlatformTests(factory, browser);
