using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NasPlatform.Migrations.Postgres
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
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Skipped",
                table: "Trials",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "LatencyEntries",
                columns: table => new
                {
                    DeviceClass = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Ms = table.Column<double>(type: "double precision", nullable: false),
                    MeasuredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
