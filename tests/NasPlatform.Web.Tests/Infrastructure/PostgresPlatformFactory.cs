using Microsoft.AspNetCore.Hosting;
using Npgsql;

namespace NasPlatform.Web.Tests.Infrastructure;

/// <summary>
/// The same platform on PostgreSQL (EF Core via Npgsql, Hangfire.PostgreSql), in a database of its
/// own that is dropped afterwards. tests/run.sh installs and starts the server and sets
/// NAS_TEST_POSTGRES; without it these tests fail with that explanation.
/// </summary>
public class PostgresPlatformFactory : PlatformFactory
{
    public const string Variable = "NAS_TEST_POSTGRES";

    // Field initializers run before the base constructor starts the server.
    private readonly string _database = "nas_test_" + Guid.NewGuid().ToString("N");
    private readonly string _admin = AdminConnection();

    protected override void ConfigureDatabase(IWebHostBuilder builder)
    {
        using (var connection = new NpgsqlConnection(_admin))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
            create.ExecuteNonQuery();
        }
        builder.UseSetting("NasPlatform:Database", "postgres");
        builder.UseSetting("NasPlatform:ConnectionString", new NpgsqlConnectionStringBuilder(_admin) { Database = _database }.ConnectionString);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(_admin);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }

    private static string AdminConnection() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: the PostgreSQL tests need a server. Run tests/run.sh (it installs and starts PostgreSQL) or set " +
                $"{Variable}=\"Host=127.0.0.1;Username=...;Password=...;Database=postgres\" for a role that may create databases.");
}

/// <summary>The platform's API and browser journey tests again, on PostgreSQL.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresPlatformFactory>, ICollectionFixture<Browser.BrowserSession>
{
    public const string Name = "platform-postgres";
}

/// <summary>
/// The scale-out set-up: PostgreSQL and an S3-compatible blob store (a bucket of its own on the tests'
/// s3rver), nothing shared on disk between web host and workers.
/// </summary>
public sealed class S3PlatformFactory : PostgresPlatformFactory
{
    private readonly NasPlatform.Platform.Configuration.BlobStoreOptions _s3 = S3TestServer.Options();

    protected override void ConfigureDatabase(IWebHostBuilder builder)
    {
        base.ConfigureDatabase(builder);
        builder.UseSetting("NasPlatform:Blobs:Kind", "s3");
        builder.UseSetting("NasPlatform:Blobs:ServiceUrl", _s3.ServiceUrl);
        builder.UseSetting("NasPlatform:Blobs:Bucket", _s3.Bucket);
        builder.UseSetting("NasPlatform:Blobs:AccessKey", _s3.AccessKey);
        builder.UseSetting("NasPlatform:Blobs:SecretKey", _s3.SecretKey);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        // The host's services are gone by now: empty the bucket through a store of our own.
        if (!disposing) return;
        using var store = new NasPlatform.Platform.Storage.S3BlobStore(_s3, Path.Combine(Path.GetTempPath(), "nas-s3-cleanup"));
        store.DeletePrefix("");
    }
}

[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3PlatformFactory>
{
    public const string Name = "platform-s3";
}
