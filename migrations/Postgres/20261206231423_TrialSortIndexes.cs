using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NasPlatform.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TrialSortIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Trials_SearchId_LatencyMs_Number",
                table: "Trials",
                columns: new[] { "SearchId", "LatencyMs", "Number" });

            migrationBuilder.CreateIndex(
                name: "IX_Trials_SearchId_Macs_Number",
                table: "Trials",
                columns: new[] { "SearchId", "Macs", "Number" });

            migrationBuilder.CreateIndex(
                name: "IX_Trials_SearchId_Parameters_Number",
                table: "Trials",
                columns: new[] { "SearchId", "Parameters", "Number" });

            migrationBuilder.CreateIndex(
                name: "IX_Trials_SearchId_Reward_Number",
                table: "Trials",
                columns: new[] { "SearchId", "Reward", "Number" });

            migrationBuilder.CreateIndex(
                name: "IX_Trials_SearchId_Seconds_Number",
                table: "Trials",
                columns: new[] { "SearchId", "Seconds", "Number" });

            migrationBuilder.CreateIndex(
                name: "IX_Trials_SearchId_Status_Number",
                table: "Trials",
                columns: new[] { "SearchId", "Status", "Number" });

            migrationBuilder.CreateIndex(
                name: "IX_Trials_SearchId_ValidationMetric_Number",
                table: "Trials",
                columns: new[] { "SearchId", "ValidationMetric", "Number" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Trials_SearchId_LatencyMs_Number",
                table: "Trials");

            migrationBuilder.DropIndex(
                name: "IX_Trials_SearchId_Macs_Number",
                table: "Trials");

            migrationBuilder.DropIndex(
                name: "IX_Trials_SearchId_Parameters_Number",
                table: "Trials");

            migrationBuilder.DropIndex(
                name: "IX_Trials_SearchId_Reward_Number",
                table: "Trials");

            migrationBuilder.DropIndex(
                name: "IX_Trials_SearchId_Seconds_Number",
                table: "Trials");

            migrationBuilder.DropIndex(
                name: "IX_Trials_SearchId_Status_Number",
                table: "Trials");

            migrationBuilder.DropIndex(
                name: "IX_Trials_SearchId_ValidationMetric_Number",
                table: "Trials");
        }
    }
}
