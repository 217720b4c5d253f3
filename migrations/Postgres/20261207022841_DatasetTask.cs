using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NasPlatform.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DatasetTask : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<double>>(
                name: "PixelShares",
                table: "Datasets",
                type: "double precision[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<string>(
                name: "Task",
                table: "Datasets",
                type: "text",
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
