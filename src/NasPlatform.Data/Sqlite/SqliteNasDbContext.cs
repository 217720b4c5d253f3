using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace NasPlatform.Data.Sqlite;

/// <summary>The embedded default's database; its migrations are in migrations/Sqlite.</summary>
public sealed class SqliteNasDbContext(DbContextOptions<SqliteNasDbContext> options) : NasDbContext(options)
{
    /// <summary>SQLite cannot order or compare DateTimeOffset text; stored as a sortable 64-bit number instead.</summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        builder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        builder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}
