using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NasPlatform.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SearchQuality : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Baselines",
                table: "Searches",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "BatchSize",
                table: "Searches",
                type: "INTEGER",
                nullable: false,
                defaultValue: 128);

            migrationBuilder.AddColumn<double>(
                name: "EmaDecay",
                table: "Searches",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "HorizontalFlip",
                table: "Searches",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Outcome",
                table: "Searches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "RandomErasing",
                table: "Searches",
                type: "REAL",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<string>(
                name: "BudgetJson",
                table: "Models",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RecipeJson",
                table: "Models",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Baselines",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    SearchId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Family = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Width = table.Column<double>(type: "REAL", nullable: false),
                    SearchSpace = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ArchitectureJson = table.Column<string>(type: "TEXT", nullable: false),
                    ArchitectureHash = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", nullable: true),
                    TestMetric = table.Column<double>(type: "REAL", nullable: true),
                    TestMetricsJson = table.Column<string>(type: "TEXT", nullable: true),
                    LatencyMs = table.Column<double>(type: "REAL", nullable: true),
                    LatencyJson = table.Column<string>(type: "TEXT", nullable: true),
                    Parameters = table.Column<long>(type: "INTEGER", nullable: false),
                    Macs = table.Column<long>(type: "INTEGER", nullable: false),
                    RecipeJson = table.Column<string>(type: "TEXT", nullable: true),
                    Seconds = table.Column<double>(type: "REAL", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Baselines", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Baselines_Searches_SearchId",
                        column: x => x.SearchId,
                        principalTable: "Searches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Baselines_SearchId_Number",
                table: "Baselines",
                columns: new[] { "SearchId", "Number" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Baselines");

            migrationBuilder.DropColumn(
                name: "Baselines",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "BatchSize",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "EmaDecay",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "HorizontalFlip",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "Outcome",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "RandomErasing",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "BudgetJson",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "RecipeJson",
                table: "Models");
        }
    }
}
