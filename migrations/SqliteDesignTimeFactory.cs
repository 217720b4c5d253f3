using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using NasPlatform.Data.Sqlite;

namespace NasPlatform.Migrations;

/// <summary>Lets `dotnet ef migrations add X --project migrations --context SqliteNasDbContext -o Sqlite` build the context without a host.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteNasDbContext>
{
    public SqliteNasDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteNasDbContext>()
            .UseSqlite("Data Source=design-time.db", o => o.MigrationsAssembly(typeof(SqliteDesignTimeFactory).Assembly.GetName().Name))
            .Options);
}
