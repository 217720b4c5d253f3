using Microsoft.EntityFrameworkCore;

namespace NasPlatform.Data.Postgres;

/// <summary>The scale-out database; its migrations are in migrations/Postgres.</summary>
public sealed class PostgresNasDbContext(DbContextOptions<PostgresNasDbContext> options) : NasDbContext(options);
