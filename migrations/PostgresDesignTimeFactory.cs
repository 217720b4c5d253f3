using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using NasPlatform.Data.Postgres;

namespace NasPlatform.Migrations;

/// <summary>For `dotnet ef migrations add X --project migrations --context PostgresNasDbContext -o Postgres` (no server needed).</summary>
public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresNasDbContext>
{
    public PostgresNasDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresNasDbContext>()
            .UseNpgsql("Host=localhost;Database=nasplatform_design", o => o.MigrationsAssembly(typeof(PostgresDesignTimeFactory).Assembly.GetName().Name))
            .Options);
}
