using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NasPlatform.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LatencyTables : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "PredictedLatencyMs",
                table: "Trials",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Skipped",
                table: "Trials",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "LatencyEntries",
                columns: table => new
                {
                    DeviceClass = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    Ms = table.Column<double>(type: "REAL", nullable: false),
                    MeasuredAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LatencyEntries", x => new { x.DeviceClass, x.Key });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "LatencyEntries");

            migrationBuilder.DropColumn(
                name: "PredictedLatencyMs",
                table: "Trials");

            migrationBuilder.DropColumn(
                name: "Skipped",
                table: "Trials");
        }
    }
}
