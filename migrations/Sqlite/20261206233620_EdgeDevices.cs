using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NasPlatform.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EdgeDevices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LatencyDevice",
                table: "Searches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "EdgeDevices",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OwnerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Hardware = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    LastSeenAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EdgeDevices", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "LatencyJobs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DeviceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SearchId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ModelBlob = table.Column<string>(type: "TEXT", nullable: false),
                    Channels = table.Column<int>(type: "INTEGER", nullable: false),
                    Height = table.Column<int>(type: "INTEGER", nullable: false),
                    Width = table.Column<int>(type: "INTEGER", nullable: false),
                    BatchSize = table.Column<int>(type: "INTEGER", nullable: false),
                    WarmupRuns = table.Column<int>(type: "INTEGER", nullable: false),
                    TimedRuns = table.Column<int>(type: "INTEGER", nullable: false),
                    Rounds = table.Column<int>(type: "INTEGER", nullable: false),
                    Threads = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    LeasedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    LeasedUntil = table.Column<long>(type: "INTEGER", nullable: true),
                    ResultJson = table.Column<string>(type: "TEXT", nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LatencyJobs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LatencyJobs_EdgeDevices_DeviceId",
                        column: x => x.DeviceId,
                        principalTable: "EdgeDevices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_EdgeDevices_OwnerId_Name",
                table: "EdgeDevices",
                columns: new[] { "OwnerId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_EdgeDevices_TokenHash",
                table: "EdgeDevices",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_LatencyJobs_DeviceId_Status_CreatedAt",
                table: "LatencyJobs",
                columns: new[] { "DeviceId", "Status", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "LatencyJobs");

            migrationBuilder.DropTable(
                name: "EdgeDevices");

            migrationBuilder.DropColumn(
                name: "LatencyDevice",
                table: "Searches");
        }
    }
}
