using System.Net;
using System.Text;
using NasPlatform.Engine.Datasets;
using NasPlatform.Engine.Tests.Datasets;
using NasPlatform.Engine.Tests.TestData;
using NasPlatform.Web.Tests.Infrastructure;
using static NasPlatform.Web.Tests.Infrastructure.TestZips;

namespace NasPlatform.Web.Tests.Api;

/// <summary>
/// Every refusal the issue lists: found at upload (a 4xx problem, no row) or during ingestion
/// (the dataset ends failed with an error naming the problem). Either way no files are left behind
/// and the server goes on serving.
/// </summary>
public abstract class BadUploadTests(PlatformFactory factory)
{
    private readonly PlatformClient _client = new(factory);

    public static TheoryData<string, byte[], string?, int, string> RefusedAtUpload()
    {
        var good = TinyImages.Make(30, 3, 1, 16, 1);
        var idx = IdxEntries(good, good);
        var badMagic = idx.Select(e => e.Name.StartsWith("train-images") ? e with { Data = [0, 0, 8, 9, .. e.Data[4..]] } : e).ToList();
        return new()
        {
            { "not a zip", Encoding.UTF8.GetBytes("just some text, not an archive"), null, 422, "not a zip archive" },
            { "unknown format", TinyIdx(), "tarball", 422, "Unknown format 'tarball'" },
            { "mismatched format", TinyIdx(), "cifar", 422, "declared as cifar" },
            { "image folder declared as idx", ImageFolder(), "idx-zip", 422, "declared as idx" },
            { "wrong IDX magic", Zip(badMagic), "idx-zip", 422, "wrong IDX magic" },
            { "relative escape", Zip([Png("../evil/1.png"), .. ClassPngs()]), null, 422, "escapes the archive folder" },
            { "backslash escape", Zip([Png("..\\evil\\1.png"), .. ClassPngs()]), null, 422, "escapes the archive folder" },
            { "absolute path", Zip([Png("/etc/evil/1.png"), .. ClassPngs()]), null, 422, "absolute path" },
            { "symlink entry", Zip([new Entry("a/link.png", Encoding.UTF8.GetBytes("/etc/passwd"), UnixMode: 0xA1FF), .. ClassPngs()]), null, 422, "symbolic link" },
            { "duplicate names", Zip([Png("a/1.png"), Png("a/1.png"), .. ClassPngs()]), null, 422, "duplicate" },
            { "nested archive", Zip([new Entry("a/more.zip", ImageFolder()), .. ClassPngs()]), null, 422, "nested archive" },
            { "too deep", Zip([Png("w/x/a/1.png"), .. ClassPngs()]), null, 422, "too deep" },
            { "idx too deep", Zip(idx.Select(e => e with { Name = "a/b/" + e.Name })), "idx-zip", 422, "too deep" },
            { "idx duplicate", Zip([.. idx, idx[0] with { Name = "w/" + idx[0].Name }]), "idx-zip", 422, "appears twice" },
            { "control character class", Zip([.. Enumerable.Range(0, 5).Select(i => Png($"bad\u0007name/{i}.png")), .. ClassPngs()]), null, 422, "control character" },
        };
    }

    [Theory]
    [MemberData(nameof(RefusedAtUpload), MemberType = typeof(BadUploadTests))]
    public async Task RefusedAtUpload_WithAProblem_AndNoRowOrFile(string @case, byte[] file, string? format, int status, string reason)
    {
        int before = await _client.DatasetCountAsync();
        var response = await _client.UploadAsync(file, @case, format);
        await PlatformClient.AssertProblemAsync(response, status, reason);
        Assert.Equal(before, await _client.DatasetCountAsync());
        await _client.AssertNoOrphansAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.Http.GetAsync("/api/v1/datasets")).StatusCode);
    }

    [Fact]
    public async Task UploadOverTheSizeLimit_Is413_AndNothingIsKept()
    {
        int before = await _client.DatasetCountAsync();
        var big = new byte[PlatformFactory.MaxUploadBytes + 100_000];
        Random.Shared.NextBytes(big);
        await PlatformClient.AssertProblemAsync(await _client.UploadAsync(big, "big"), 413, "larger than the limit");
        Assert.Equal(before, await _client.DatasetCountAsync());
        await _client.AssertNoOrphansAsync();
    }

    [Fact]
    public async Task MalformedRequests_AreProblems()
    {
        var json = await _client.Http.PostAsync("/api/v1/datasets", new StringContent("{}", Encoding.UTF8, "application/json"));
        await PlatformClient.AssertProblemAsync(json, 415, "");

        using var noFile = new MultipartFormDataContent { { new StringContent("x"), "name" } };
        await PlatformClient.AssertProblemAsync(await _client.Http.PostAsync("/api/v1/datasets", noFile), 400, "no 'file' part");

        await PlatformClient.AssertProblemAsync(await _client.UploadAsync([], "empty"), 400, "empty");
        await PlatformClient.AssertProblemAsync(await _client.UploadAsync(TinyIdx(), "  "), 400, "needs a name");
        await _client.AssertNoOrphansAsync();
    }

    public static TheoryData<string, byte[], string> FailedDuringIngestion()
    {
        var train = TinyImages.Make(30, 3, 1, 16, 1);
        var test = TinyImages.Make(9, 3, 1, 16, 2);
        var idx = IdxEntries(train, test);
        List<Entry> Replace(string stem, byte[] data) => idx.Select(e => e.Name.StartsWith(stem) ? e with { Data = data } : e).ToList();
        var images = IdxImages(train);
        var zeros = new byte[60 << 20];
        return new()
        {
            { "truncated images", Zip(Replace("train-images", images[..^100])), "truncated" },
            { "trailing bytes", Zip(Replace("train-images", [.. images, .. new byte[256]])), "does not match the file" },
            { "count mismatch", Zip(Replace("train-labels", DatasetTestData.IdxLabels(train.Labels[..^3]))), "they must match" },
            { "label out of range", Zip(Replace("t10k-labels", DatasetTestData.IdxLabels([.. test.Labels[..^1], 200]))), "out of range" },
            { "missing file", Zip(idx.Where(e => !e.Name.StartsWith("t10k-labels"))), "missing t10k-labels" },
            { "gzip bomb", Zip(Replace("train-images", DatasetTestData.Gzip([.. DatasetTestData.IdxHeader(IdxReader.ImageMagic, 200_000, 16, 16), .. zeros], System.IO.Compression.CompressionLevel.SmallestSize))), "gzip bomb" },
            { "zip bomb", Zip([new Entry("a/bomb.png", zeros), .. Enumerable.Range(0, 5).Select(i => Png($"a/{i}.png")), .. ClassPngs()]), "decompression bomb" },
            { "absurd dimensions", Zip([.. Enumerable.Range(0, 5).Select(i => new Entry($"a/{i}.png", DatasetTestData.PngHeaderOnly(100_000, 100_000))), .. ClassPngs()]), "100000x100000" },
            { "undecodable image", Zip([.. Enumerable.Range(0, 5).Select(i => new Entry($"a/{i}.png", Encoding.UTF8.GetBytes("not really a png"))), .. ClassPngs()]), "not a decodable image" },
            { "one class", ImageFolder(classes: 1), "at least 2 classes" },
            // Seen in the wild: every training label 255, test labels 0-9.
            { "one training label", Zip(Replace("train-labels", DatasetTestData.IdxLabels(train.Labels.Select(_ => 255).ToArray()))), "same label (label 255)" },
            { "test classes unknown to training", Zip(Replace("train-labels", DatasetTestData.IdxLabels(train.Labels.Select(l => l == 1 ? 0 : l).ToArray()))),
                "labels the training part never uses (label 1: 3)" },
            { "too few images", ImageFolder(classes: 2, perClass: 3), "too few images per class" },
        };
    }

    [Theory]
    [MemberData(nameof(FailedDuringIngestion), MemberType = typeof(BadUploadTests))]
    public async Task FoundDuringIngestion_DatasetFailsWithTheReason_AndKeepsNoFiles(string @case, byte[] file, string reason)
    {
        var dataset = await _client.UploadAndWaitAsync(file, @case);
        Assert.Equal("failed", dataset["status"]!.GetValue<string>());
        Assert.Contains(reason, dataset["error"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(factory.DataPath, dataset["error"]!.GetValue<string>());
        Assert.False(factory.HasBlobs($"datasets/{dataset["id"]!.GetValue<string>()}/"));
        await _client.AssertNoOrphansAsync();
    }

    private static IEnumerable<Entry> ClassPngs() =>
        Enumerable.Range(0, 6).SelectMany(i => new[] { Png($"cats/{i}.png", 10), Png($"dogs/{i}.png", 200) });
}

[Collection(PlatformCollection.Name)]
public sealed class BadUploadTestsOnSqlite(PlatformFactory factory) : BadUploadTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class BadUploadTestsOnPostgres(PostgresPlatformFactory factory) : BadUploadTests(factory);
