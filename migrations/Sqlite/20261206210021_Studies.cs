using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NasPlatform.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Studies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "StudyId",
                table: "Searches",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Studies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OwnerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    DatasetId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Strategies = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    Seeds = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    SettingsJson = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Studies", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Searches_StudyId",
                table: "Searches",
                column: "StudyId");

            migrationBuilder.CreateIndex(
                name: "IX_Studies_OwnerId_CreatedAt",
                table: "Studies",
                columns: new[] { "OwnerId", "CreatedAt" });

            migrationBuilder.AddForeignKey(
                name: "FK_Searches_Studies_StudyId",
                table: "Searches",
                column: "StudyId",
                principalTable: "Studies",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Searches_Studies_StudyId",
                table: "Searches");

            migrationBuilder.DropTable(
                name: "Studies");

            migrationBuilder.DropIndex(
                name: "IX_Searches_StudyId",
                table: "Searches");

            migrationBuilder.DropColumn(
                name: "StudyId",
                table: "Searches");
        }
    }
}
