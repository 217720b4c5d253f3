using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NasPlatform.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Datasets",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Format = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Error = table.Column<string>(type: "text", nullable: true),
                    Channels = table.Column<int>(type: "integer", nullable: false),
                    Height = table.Column<int>(type: "integer", nullable: false),
                    Width = table.Column<int>(type: "integer", nullable: false),
                    NumClasses = table.Column<int>(type: "integer", nullable: false),
                    ClassNames = table.Column<List<string>>(type: "text[]", nullable: false),
                    ClassCounts = table.Column<List<int>>(type: "integer[]", nullable: false),
                    TrainCount = table.Column<int>(type: "integer", nullable: false),
                    TestCount = table.Column<int>(type: "integer", nullable: false),
                    UploadBytes = table.Column<long>(type: "bigint", nullable: false),
                    UploadBlob = table.Column<string>(type: "text", nullable: true),
                    DataBlob = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ReadyAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Datasets", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Models",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SearchId = table.Column<Guid>(type: "uuid", nullable: false),
                    TrialId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    ArchitectureJson = table.Column<string>(type: "text", nullable: false),
                    ArchitectureHash = table.Column<string>(type: "text", nullable: false),
                    TestAccuracy = table.Column<double>(type: "double precision", nullable: false),
                    TestLoss = table.Column<double>(type: "double precision", nullable: false),
                    LatencyMs = table.Column<double>(type: "double precision", nullable: false),
                    LatencyJson = table.Column<string>(type: "text", nullable: true),
                    Parameters = table.Column<long>(type: "bigint", nullable: false),
                    Macs = table.Column<long>(type: "bigint", nullable: false),
                    Reward = table.Column<double>(type: "double precision", nullable: false),
                    HistoryJson = table.Column<string>(type: "text", nullable: false),
                    TrainSeconds = table.Column<double>(type: "double precision", nullable: false),
                    Device = table.Column<string>(type: "text", nullable: false),
                    WeightsBlob = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Models", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Workers",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    Host = table.Column<string>(type: "text", nullable: false),
                    DeviceClass = table.Column<string>(type: "text", nullable: false),
                    DeviceName = table.Column<string>(type: "text", nullable: false),
                    Threads = table.Column<int>(type: "integer", nullable: false),
                    MemoryBytes = table.Column<long>(type: "bigint", nullable: true),
                    Queues = table.Column<List<string>>(type: "text[]", nullable: false),
                    InProcess = table.Column<bool>(type: "boolean", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StoppedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Workers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Searches",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    DatasetId = table.Column<Guid>(type: "uuid", nullable: false),
                    SearchSpace = table.Column<string>(type: "text", nullable: false),
                    Strategy = table.Column<string>(type: "text", nullable: false),
                    LatencyBudgetMs = table.Column<double>(type: "double precision", nullable: false),
                    Constraint = table.Column<string>(type: "text", nullable: false),
                    TargetDevice = table.Column<string>(type: "text", nullable: false),
                    MaxTrials = table.Column<int>(type: "integer", nullable: false),
                    MaxMinutes = table.Column<double>(type: "double precision", nullable: true),
                    ProxyEpochs = table.Column<int>(type: "integer", nullable: false),
                    ProxyFraction = table.Column<double>(type: "double precision", nullable: false),
                    FinalEpochs = table.Column<int>(type: "integer", nullable: false),
                    Seed = table.Column<long>(type: "bigint", nullable: false),
                    Parallelism = table.Column<int>(type: "integer", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Error = table.Column<string>(type: "text", nullable: true),
                    Phase = table.Column<string>(type: "text", nullable: false),
                    TrialsCompleted = table.Column<int>(type: "integer", nullable: false),
                    BestTrialId = table.Column<Guid>(type: "uuid", nullable: true),
                    ModelId = table.Column<Guid>(type: "uuid", nullable: true),
                    StrategyState = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Searches", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Searches_Datasets_DatasetId",
                        column: x => x.DatasetId,
                        principalTable: "Datasets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Trials",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SearchId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    ArchitectureJson = table.Column<string>(type: "text", nullable: false),
                    ArchitectureHash = table.Column<string>(type: "text", nullable: false),
                    ChoicesJson = table.Column<string>(type: "text", nullable: false),
                    ProxyEpochs = table.Column<int>(type: "integer", nullable: false),
                    ProxyFraction = table.Column<double>(type: "double precision", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Error = table.Column<string>(type: "text", nullable: true),
                    ValidationAccuracy = table.Column<double>(type: "double precision", nullable: true),
                    LatencyMs = table.Column<double>(type: "double precision", nullable: true),
                    LatencyJson = table.Column<string>(type: "text", nullable: true),
                    Parameters = table.Column<long>(type: "bigint", nullable: false),
                    Macs = table.Column<long>(type: "bigint", nullable: false),
                    Reward = table.Column<double>(type: "double precision", nullable: true),
                    HistoryJson = table.Column<string>(type: "text", nullable: false),
                    FromCache = table.Column<bool>(type: "boolean", nullable: false),
                    Reported = table.Column<bool>(type: "boolean", nullable: false),
                    Worker = table.Column<string>(type: "text", nullable: true),
                    JobId = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Seconds = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Trials", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Trials_Searches_SearchId",
                        column: x => x.SearchId,
                        principalTable: "Searches",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Datasets_CreatedAt",
                table: "Datasets",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Models_CreatedAt",
                table: "Models",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Models_SearchId",
                table: "Models",
                column: "SearchId");

            migrationBuilder.CreateIndex(
                name: "IX_Searches_CreatedAt",
                table: "Searches",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Searches_DatasetId",
                table: "Searches",
                column: "DatasetId");

            migrationBuilder.CreateIndex(
                name: "IX_Trials_SearchId_Number",
                table: "Trials",
                columns: new[] { "SearchId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Workers_LastSeen",
                table: "Workers",
                column: "LastSeen");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Models");

            migrationBuilder.DropTable(
                name: "Trials");

            migrationBuilder.DropTable(
                name: "Workers");

            migrationBuilder.DropTable(
                name: "Searches");

            migrationBuilder.DropTable(
                name: "Datasets");
        }
    }
}
