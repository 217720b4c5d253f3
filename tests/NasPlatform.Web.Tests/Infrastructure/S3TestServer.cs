using NasPlatform.Platform.Configuration;

namespace NasPlatform.Web.Tests.Infrastructure;

/// <summary>
/// The S3-compatible server of the tests: tests/run.sh starts s3rver (tests/s3.sh) and sets NAS_TEST_S3 to
/// its endpoint; without it these tests fail with that explanation. Each caller gets a bucket of its own.
/// </summary>
public static class S3TestServer
{
    public const string Variable = "NAS_TEST_S3";

    /// <summary>s3rver's fixed credentials.</summary>
    public const string AccessKey = "S3RVER", SecretKey = "S3RVER";

    public static string Endpoint => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } url ? url
        : throw new InvalidOperationException($"{Variable} is not set: run the tests with tests/run.sh, which starts an S3-compatible server (s3rver) and sets it.");

    public static BlobStoreOptions Options(int partSizeMb = 16) => new()
    {
        Kind = "s3", ServiceUrl = Endpoint, Bucket = "nas-test-" + Guid.NewGuid().ToString("N")[..12], AccessKey = AccessKey, SecretKey = SecretKey,
        PartSizeMb = partSizeMb,
    };
}
