using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NasPlatform.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OnePipeline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Epoch histories name the task's metric (trainMetric, validationMetric) instead of accuracy.
            migrationBuilder.Sql("UPDATE \"Trials\" SET \"HistoryJson\" = REPLACE(REPLACE(\"HistoryJson\", '\"trainAccuracy\"', '\"trainMetric\"'), '\"validationAccuracy\"', '\"validationMetric\"')");
            migrationBuilder.Sql("UPDATE \"Models\" SET \"HistoryJson\" = REPLACE(REPLACE(\"HistoryJson\", '\"trainAccuracy\"', '\"trainMetric\"'), '\"validationAccuracy\"', '\"validationMetric\"')");

            migrationBuilder.RenameColumn(
                name: "ValidationAccuracy",
                table: "Trials",
                newName: "ValidationMetric");

            migrationBuilder.RenameColumn(
                name: "TestAccuracy",
                table: "Models",
                newName: "TestMetric");

            migrationBuilder.AddColumn<string>(
                name: "RewardTermsJson",
                table: "Trials",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "Searches",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "trials");

            migrationBuilder.AddColumn<string>(
                name: "Metric",
                table: "Searches",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "accuracy");

            migrationBuilder.AddColumn<string>(
                name: "Objective",
                table: "Searches",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "mnasnet");

            migrationBuilder.AddColumn<string>(
                name: "ObjectiveOptionsJson",
                table: "Searches",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SpaceOptionsJson",
                table: "Searches",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "StrategyOptionsJson",
                table: "Searches",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Task",
                table: "Searches",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "classification");

            migrationBuilder.AddColumn<string>(
                name: "Metric",
                table: "Models",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "accuracy");

            migrationBuilder.AddColumn<string>(
                name: "RewardTermsJson",
                table: "Models",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SearchSpace",
                table: "Models",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "mnasnet");

            migrationBuilder.AddColumn<string>(
                name: "Task",
                table: "Models",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "classification");

            migrationBuilder.AddColumn<string>(
                name: "TestMetricsJson",
                table: "Models",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Epoch histories name the task's metric (trainMetric, validationMetric) instead of accuracy.
            migrationBuilder.Sql("UPDATE \"Trials\" SET \"HistoryJson\" = REPLACE(REPLACE(\"HistoryJson\", '\"trainMetric\"', '\"trainAccuracy\"'), '\"validationMetric\"', '\"validationAccuracy\"')");
            migrationBuilder.Sql("UPDATE \"Models\" SET \"HistoryJson\" = REPLACE(REPLACE(\"HistoryJson\", '\"trainMetric\"', '\"trainAccuracy\"'), '\"validationMetric\"', '\"validationAccuracy\"')");

            migrationBuilder.DropColumn(
                name: "RewardTermsJson",
                table: "Trials");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "Metric",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "Objective",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "ObjectiveOptionsJson",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "SpaceOptionsJson",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "StrategyOptionsJson",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "Task",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "Metric",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "RewardTermsJson",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "SearchSpace",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "Task",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "TestMetricsJson",
                table: "Models");

            migrationBuilder.RenameColumn(
                name: "ValidationMetric",
                table: "Trials",
                newName: "ValidationAccuracy");

            migrationBuilder.RenameColumn(
                name: "TestMetric",
                table: "Models",
                newName: "TestAccuracy");
        }
    }
}
