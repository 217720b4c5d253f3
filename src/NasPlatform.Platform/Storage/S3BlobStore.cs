using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using NasPlatform.Platform.Configuration;

namespace NasPlatform.Platform.Storage;

/// <summary>
/// Blobs as objects of one bucket in an S3-compatible store (AWS S3, MinIO, Ceph, R2, s3rver), so that
/// workers on other machines need only the database and this store. An object appears whole or not at
/// all (S3's own guarantee; multipart uploads only on completion), so writes keep the folder store's
/// promise. Writes are staged in a local file and sent in parts read from it: memory stays at one
/// part's buffers whatever the blob's size.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private readonly IAmazonS3 _s3;
    private readonly BlobStoreOptions _options;
    private readonly string _staging;
    private volatile bool _bucketReady;

    public S3BlobStore(BlobStoreOptions options, string stagingFolder)
    {
        _options = options;
        _staging = stagingFolder;
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // Checksums the store does not ask for would be sent as chunked trailers, which several S3-compatible servers refuse.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            AuthenticationRegion = options.Region,
        };
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl)) config.ServiceURL = options.ServiceUrl;
        else config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        _s3 = string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    public string Bucket => _options.Bucket!;

    private long PartBytes => (long)_options.PartSizeMb << 20;

    // IBlobStore's reads are synchronous (folder-store heritage); the SDK is asynchronous only.
    public Stream OpenRead(string key)
    {
        try
        {
            var response = Sync(() => _s3.GetObjectAsync(Bucket, ObjectKey(key)));
            return new ResponseStream(response);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new FileNotFoundException($"Blob '{key}' does not exist in bucket {Bucket}.", key, e);
        }
    }

    public bool Exists(string key) => Metadata(key) is not null;

    public long Length(string key) =>
        Metadata(key)?.ContentLength ?? throw new FileNotFoundException($"Blob '{key}' does not exist in bucket {Bucket}.", key);

    public async Task WriteAsync(string key, Stream content, CancellationToken ct = default) =>
        await WriteFileAsync(key, async path =>
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await content.CopyToAsync(file, ct);
        }, ct);

    public async Task WriteFileAsync(string key, Func<string, Task> fill, CancellationToken ct = default)
    {
        Directory.CreateDirectory(_staging);
        var temp = Path.Combine(_staging, Guid.NewGuid().ToString("N") + ".s3.tmp");
        try
        {
            await fill(temp);
            ct.ThrowIfCancellationRequested();
            await UploadAsync(key, temp, ct);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public async Task ImportAsync(string key, string localPath, CancellationToken ct = default)
    {
        await UploadAsync(key, localPath, ct);
        File.Delete(localPath);
    }

    public int DeletePrefix(string prefix)
    {
        int deleted = 0;
        foreach (var batch in List(prefix).Chunk(1000))
        {
            var request = new DeleteObjectsRequest { BucketName = Bucket, Quiet = true, Objects = batch.Select(k => new KeyVersion { Key = ObjectKey(k) }).ToList() };
            var response = Sync(() => _s3.DeleteObjectsAsync(request));
            if (response.DeleteErrors is { Count: > 0 } errors)
                throw new IOException($"Could not delete {errors.Count} blobs under '{prefix}' (first: {errors[0].Key}: {errors[0].Message}).");
            deleted += batch.Length;
        }
        return deleted;
    }

    public IEnumerable<string> List(string prefix)
    {
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = ObjectKey(prefix) };
        while (Page(request) is { } page)
        {
            foreach (var o in page.S3Objects ?? []) yield return o.Key[_options.Prefix.Length..];
            if (page.IsTruncated != true) yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>A page of a listing; null when the bucket does not exist yet (nothing was ever written).</summary>
    private ListObjectsV2Response? Page(ListObjectsV2Request request)
    {
        try
        {
            return Sync(() => _s3.ListObjectsV2Async(request));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode == "NoSuchBucket")
        {
            return null;
        }
    }

    public void Dispose() => _s3.Dispose();

    /// <summary>One PUT up to a part's size; above it a multipart upload whose parts the SDK reads straight from the file.</summary>
    private async Task UploadAsync(string key, string path, CancellationToken ct)
    {
        if (!_bucketReady) await EnsureBucketAsync(ct);
        long length = new FileInfo(path).Length;
        var objectKey = ObjectKey(key);
        if (length <= PartBytes)
        {
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = objectKey, FilePath = path, UseChunkEncoding = false }, ct);
            return;
        }
        var upload = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = Bucket, Key = objectKey }, ct);
        try
        {
            var parts = new List<PartETag>();
            for (long offset = 0; offset < length; offset += PartBytes)
            {
                int number = parts.Count + 1;
                var part = await _s3.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = Bucket, Key = objectKey, UploadId = upload.UploadId, PartNumber = number, FilePath = path,
                    FilePosition = offset, PartSize = Math.Min(PartBytes, length - offset), UseChunkEncoding = false,
                }, ct);
                parts.Add(new PartETag(number, part.ETag));
            }
            await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = Bucket, Key = objectKey, UploadId = upload.UploadId, PartETags = parts,
            }, ct);
        }
        catch
        {
            // The parts uploaded so far are never visible as an object, but they take space until aborted.
            await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = Bucket, Key = objectKey, UploadId = upload.UploadId },
                CancellationToken.None);
            throw;
        }
    }

    /// <summary>Creates the bucket on the first write when asked to; retried on the next write if the store was unreachable.</summary>
    private async Task EnsureBucketAsync(CancellationToken ct)
    {
        if (_options.CreateBucket)
        {
            try
            {
                await _s3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket }, ct);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
            }
        }
        _bucketReady = true;
    }

    private GetObjectMetadataResponse? Metadata(string key)
    {
        try
        {
            return Sync(() => _s3.GetObjectMetadataAsync(Bucket, ObjectKey(key)));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private string ObjectKey(string key) => _options.Prefix + BlobKeys.Checked(key);

    private static T Sync<T>(Func<Task<T>> call) => Task.Run(call).GetAwaiter().GetResult();

    /// <summary>The object's body; disposing it ends the response (and frees its connection).</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        // Readers such as BinaryReader ask for a few bytes at a time; a network stream wants larger reads.
        private readonly Stream _body = new BufferedStream(response.ResponseStream, 1 << 16);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => response.ContentLength;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _body.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => _body.Read(buffer);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => _body.ReadAsync(buffer, ct);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => _body.ReadAsync(buffer, offset, count, ct);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) response.Dispose();
            base.Dispose(disposing);
        }
    }
}
