using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NasPlatform.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DatasetTask : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PixelShares",
                table: "Datasets",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "Task",
                table: "Datasets",
                type: "TEXT",
                nullable: false,
                defaultValue: "classification");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PixelShares",
                table: "Datasets");

            migrationBuilder.DropColumn(
                name: "Task",
                table: "Datasets");
        }
    }
}
