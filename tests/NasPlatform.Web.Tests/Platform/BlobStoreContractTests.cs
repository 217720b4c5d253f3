using System.Security.Cryptography;
using NasPlatform.Platform.Configuration;
using NasPlatform.Platform.Storage;
using NasPlatform.Web.Tests.Infrastructure;

namespace NasPlatform.Web.Tests.Platform;

/// <summary>What every blob store promises the platform: whole blobs or none, prefixes that mean folders, bad keys refused.</summary>
public abstract class BlobStoreContractTests : IDisposable
{
    protected readonly string Scratch = Path.Combine(Path.GetTempPath(), "nas-blobs-" + Guid.NewGuid().ToString("N"));

    protected BlobStoreContractTests() => Directory.CreateDirectory(Scratch);

    protected abstract IBlobStore Store { get; }

    /// <summary>Where the store stages its writes (nothing may be left there).</summary>
    protected abstract string Staging { get; }

    [Fact]
    public async Task AWrittenBlob_ReadsBackWhole_WithItsLength_AndAnOverwriteReplacesIt()
    {
        var bytes = RandomNumberGenerator.GetBytes(100_000);
        await Store.WriteAsync("datasets/a/data.bin", new MemoryStream(bytes));
        Assert.True(Store.Exists("datasets/a/data.bin"));
        Assert.Equal(bytes.Length, Store.Length("datasets/a/data.bin"));
        Assert.Equal(bytes, Read("datasets/a/data.bin"));

        await Store.WriteFileAsync("datasets/a/data.bin", path => File.WriteAllBytesAsync(path, [1, 2, 3]));
        Assert.Equal([1, 2, 3], Read("datasets/a/data.bin"));
        AssertNothingStaged();
    }

    [Fact]
    public async Task AFailedOrCancelledWrite_LeavesNoBlob_AndNothingStaged()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.WriteFileAsync("models/m/model.bin", async path =>
        {
            await File.WriteAllBytesAsync(path, new byte[1000]);
            throw new InvalidOperationException("the training broke");
        }));
        Assert.False(Store.Exists("models/m/model.bin"));

        using var cancelled = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.WriteFileAsync("models/m/model.bin", async path =>
        {
            await File.WriteAllBytesAsync(path, new byte[1000]);
            cancelled.Cancel();
        }, cancelled.Token));
        Assert.False(Store.Exists("models/m/model.bin"));
        Assert.Empty(Store.List("models/"));
        AssertNothingStaged();
    }

    [Fact]
    public async Task Import_TakesTheLocalFile()
    {
        var local = Path.Combine(Scratch, "upload.zip");
        await File.WriteAllBytesAsync(local, [9, 8, 7]);
        await Store.ImportAsync("datasets/b/upload.zip", local);
        Assert.False(File.Exists(local));
        Assert.Equal([9, 8, 7], Read("datasets/b/upload.zip"));
    }

    [Fact]
    public async Task APrefix_IsAFolder_ListAndDeleteTouchOnlyIt()
    {
        foreach (var key in new[] { "datasets/1/data.bin", "datasets/1/previews/0.png", "datasets/10/data.bin", "models/1/model.bin" })
            await Store.WriteAsync(key, new MemoryStream([1]));
        Assert.Equal(["datasets/1/data.bin", "datasets/1/previews/0.png"], Store.List("datasets/1/").Order());
        Assert.Equal(3, Store.List("datasets/").Count());

        Assert.Equal(2, Store.DeletePrefix("datasets/1/"));
        Assert.Empty(Store.List("datasets/1/"));
        Assert.True(Store.Exists("datasets/10/data.bin"));
        Assert.True(Store.Exists("models/1/model.bin"));
        Assert.Equal(0, Store.DeletePrefix("datasets/none/"));
    }

    [Fact]
    public void MissingBlobs_AreMissing_AndKeysThatClimbOut_AreRefused()
    {
        Assert.False(Store.Exists("models/none/model.bin"));
        Assert.Throws<FileNotFoundException>(() => Store.OpenRead("models/none/model.bin").Dispose());
        Assert.Throws<FileNotFoundException>(() => Store.Length("models/none/model.bin"));
        Assert.Throws<ArgumentException>(() => Store.Exists("../etc/passwd"));
        Assert.Throws<ArgumentException>(() => Store.Exists("/etc/passwd"));
    }

    [Fact]
    public async Task ABlobLargerThanAPart_GoesUpInParts_AndReadsBackWhole()
    {
        // 12 MiB: three parts of 5 MiB (the smallest S3 allows) in the S3 store.
        var path = Path.Combine(Scratch, "large.bin");
        var random = new Random(3);
        var bytes = new byte[12 << 20];
        random.NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes);
        await Store.WriteFileAsync("datasets/large/data.bin", target => { File.Copy(path, target); return Task.CompletedTask; });
        Assert.Equal(bytes.Length, Store.Length("datasets/large/data.bin"));
        using var read = Store.OpenRead("datasets/large/data.bin");
        Assert.Equal(SHA256.HashData(bytes), await SHA256.HashDataAsync(read));
        AssertNothingStaged();
    }

    private byte[] Read(string key)
    {
        using var stream = Store.OpenRead(key);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private void AssertNothingStaged()
    {
        if (Directory.Exists(Staging)) Assert.Empty(Directory.GetFiles(Staging, "*.tmp", SearchOption.AllDirectories));
    }

    public virtual void Dispose()
    {
        try { Directory.Delete(Scratch, recursive: true); } catch (IOException) { }
    }
}

public sealed class FileBlobStoreContractTests : BlobStoreContractTests
{
    private readonly FileBlobStore _store;

    public FileBlobStoreContractTests() => _store = new FileBlobStore(Path.Combine(Scratch, "blobs"));

    protected override IBlobStore Store => _store;
    protected override string Staging => _store.Root;
}

/// <summary>The same contract against a real S3-compatible server (tests/s3.sh starts s3rver and sets NAS_TEST_S3), in a bucket of its own.</summary>
public sealed class S3BlobStoreContractTests : BlobStoreContractTests
{
    private readonly S3BlobStore _store;

    public S3BlobStoreContractTests() => _store = new S3BlobStore(S3TestServer.Options(partSizeMb: 5), Path.Combine(Scratch, "staging"));

    protected override IBlobStore Store => _store;
    protected override string Staging => Path.Combine(Scratch, "staging");

    [Fact]
    public async Task APrefixInTheOptions_KeepsTwoPlatformsApartInOneBucket()
    {
        var shared = S3TestServer.Options();
        using var a = new S3BlobStore(new BlobStoreOptions { Kind = "s3", ServiceUrl = shared.ServiceUrl, Bucket = _store.Bucket, AccessKey = shared.AccessKey, SecretKey = shared.SecretKey, Prefix = "a/" }, Staging);
        await a.WriteAsync("models/1/model.bin", new MemoryStream([1]));
        await _store.WriteAsync("models/2/model.bin", new MemoryStream([2]));
        Assert.Equal(["models/1/model.bin"], a.List("models/"));
        Assert.Contains("a/models/1/model.bin", _store.List("a/"));
    }

    public override void Dispose()
    {
        _store.DeletePrefix("");
        _store.Dispose();
        base.Dispose();
    }
}
