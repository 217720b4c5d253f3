using System.IO.Compression;
using System.Net;
using Microsoft.Playwright;
using NasPlatform.Web.Tests.Browser;
using NasPlatform.Web.Tests.Infrastructure;
using SkiaSharp;
using static Microsoft.Playwright.Assertions;

namespace NasPlatform.Web.Tests.Api;

/// <summary>Detection through the platform: COCO and YOLO zips uploaded, previewed with boxes, searched by NAS-FPN to a downloadable detector.</summary>
public abstract class DetectionPlatformTests(PlatformFactory factory, BrowserSession browser)
{
    private readonly PlatformClient _client = new(factory);

    [Fact]
    public async Task ACocoZip_BecomesADetectionDataset_WithObjectCountsAndBoxedPreviews_ThatTheDatasetPageShows()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.Zip(TestZips.DetectionEntries(prefix: "coco/")), "boxes");
        Assert.Equal("ready", dataset["status"]!.GetValue<string>());
        Assert.Equal("detection", dataset["task"]!.GetValue<string>());
        Assert.Equal("detection-zip", dataset["format"]!.GetValue<string>());
        Assert.Equal(3, dataset["numClasses"]!.GetValue<int>());
        Assert.Equal(40, dataset["trainCount"]!.GetValue<int>() + dataset["testCount"]!.GetValue<int>());
        // Objects per category: at least one per training image, at most three.
        var counts = dataset["classCounts"]!.AsArray().Select(v => v!.GetValue<int>()).ToList();
        Assert.InRange(counts.Sum(), dataset["trainCount"]!.GetValue<int>(), 3 * dataset["trainCount"]!.GetValue<int>());

        // The items are grey, so coloured pixels of a strip are its boxes.
        var id = dataset["id"]!.GetValue<Guid>();
        using (var strip = SKBitmap.Decode(await _client.Http.GetByteArrayAsync($"/api/v1/datasets/{id}/preview/0")))
            Assert.Contains(strip.Pixels, p => p.Red != p.Green || p.Green != p.Blue);

        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = factory.BaseAddress.ToString() });
        try
        {
            await BrowserSession.SignInAsync(page, PlatformFactory.AdminEmail, PlatformFactory.Password);
            await page.GotoAsync($"/datasets/{id}");
            await Expect(page.GetByTestId("dataset-task")).ToHaveTextAsync("detection");
            await Expect(page.GetByText("Objects per category (training part)")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("class-sample-row").Locator("img")).ToHaveCountAsync(3);
            await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.thumb-strip')].every(i => i.complete && i.naturalWidth > 0)");
            // No segmentation demo from a detection set.
            await Expect(page.GetByText("Make a segmentation demo")).ToHaveCountAsync(0);
            await browser.ScreenshotAsync(page, "detection-dataset");
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task AYoloZip_IsConvertedOnIngestion_ToTheSameBoxes()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.Zip(TestZips.DetectionEntries(count: 20, yolo: true)), "yolo");
        Assert.Equal("detection", dataset["task"]!.GetValue<string>());
        var coco = await _client.UploadAndWaitAsync(TestZips.Zip(TestZips.DetectionEntries(count: 20)), "coco twin");
        Assert.Equal(coco["classCounts"]!.ToJsonString(), dataset["classCounts"]!.ToJsonString());
        Assert.Equal(coco["classNames"]!.ToJsonString(), dataset["classNames"]!.ToJsonString());
    }

    public static IEnumerable<object[]> BadArchives()
    {
        var good = TestZips.DetectionEntries(count: 10);
        var annotations = good.Single(e => e.Name == "annotations.json");
        string json = System.Text.Encoding.UTF8.GetString(annotations.Data);
        TestZips.Entry With(string from, string to) => annotations with { Data = System.Text.Encoding.UTF8.GetBytes(json.Replace(from, to)) };
        yield return [good.Select(e => e == annotations ? With("\"category_id\":1,", "\"category_id\":99,") : e).ToList(), "has category 99, which \"categories\" does not list"];
        yield return [good.Select(e => e == annotations ? With("\"bbox\":[", "\"bbox\":[500,") : e).ToList(), "\"bbox\" must be [x, y, width, height]"];
        yield return [good.Where(e => e.Name != "images/00003.png").ToList(), "(00003.png) is not in images/"];
        yield return [good.Append(new TestZips.Entry("notes/readme.txt", "hi"u8.ToArray())).ToList(), "is not part of a detection dataset"];
    }

    [Theory]
    [MemberData(nameof(BadArchives))]
    public async Task AMalformedDetectionZip_IsRefusedWithAMessageNamingTheProblem_AndLeavesNothingBehind(List<TestZips.Entry> entries, string message)
    {
        var response = await _client.UploadAsync(TestZips.Zip(entries), "bad boxes");
        if (response.StatusCode == HttpStatusCode.UnprocessableEntity) await PlatformClient.AssertProblemAsync(response, 422, message);
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
    public async Task ANasFpnSearch_OfADetectionDataset_EndsInADownloadableDetectorScoredByMap_WithItsPyramidDrawn()
    {
        var dataset = await _client.UploadAndWaitAsync(TestZips.Zip(TestZips.DetectionEntries(count: 40)), "det search");
        var datasetId = dataset["id"]!.GetValue<Guid>();
        await PlatformClient.AssertProblemAsync(await _client.StartSearchAsync(new { datasetId, latencyBudgetMs = 50.0, task = "classification" }), 400, "detection only");
        await PlatformClient.AssertProblemAsync(await _client.StartSearchAsync(new { datasetId, latencyBudgetMs = 50.0, searchSpace = "mnasnet" }), 400, "nasfpn");

        var response = await _client.StartSearchAsync(new
        {
            datasetId, latencyBudgetMs = 50.0, searchSpace = "nasfpn", spaceOptions = new { channels = 8, headDepth = 1, freeCells = 1 }, strategy = "mnasnet-rl",
            maxTrials = 2, proxyEpochs = 1, proxyFraction = 1.0, batchSize = 8, finalEpochs = 1, seed = 3, baselines = true, baselineFamilies = new[] { "fpn" },
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await PlatformClient.Json(response))["id"]!.GetValue<Guid>();
        var search = await _client.WaitForSearchEndAsync(id, TimeSpan.FromMinutes(5));
        Assert.True(search["status"]!.GetValue<string>() == "succeeded", search.ToJsonString());
        Assert.Equal("detection", search["task"]!.GetValue<string>());
        Assert.Equal("map", search["metric"]!.GetValue<string>());
        Assert.Equal(2, (await _client.GetAsync($"/api/v1/searches/{id}/trials"))["items"]!.AsArray().Count);

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
        Assert.Contains("COCO box AP on the test part", text);
        Assert.Contains("AP per class on the test part", text);
        Assert.Contains("pyramid P2-P4", text);

        var page = await browser.Browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = factory.BaseAddress.ToString() });
        try
        {
            await BrowserSession.SignInAsync(page, PlatformFactory.AdminEmail, PlatformFactory.Password);
            await page.GotoAsync($"/models/{modelId}");
            var graph = page.GetByTestId("cell-graph");
            await Expect(graph).ToHaveCountAsync(1);
            await Expect(graph.Locator("figcaption")).ToHaveTextAsync("pyramid (merging cells)");
            // 1 free cell and 3 output cells, each fed by two inputs.
            Assert.True(await graph.GetByTestId("cell-edge").CountAsync() >= 8);
            await browser.ScreenshotAsync(page, "detection-model");
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}

[Collection(PlatformCollection.Name)]
public sealed class DetectionPlatformTestsOnSqlite(PlatformFactory factory, BrowserSession browser) : DetectionPlatformTests(factory, browser);
