using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NasPlatform.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class EarlyStopping : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "StoppedAtEpoch",
                table: "Trials",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EarlyStopping",
                table: "Searches",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "none");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "StoppedAtEpoch",
                table: "Trials");

            migrationBuilder.DropColumn(
                name: "EarlyStopping",
                table: "Searches");
        }
    }
}
