using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NasPlatform.Migrations.Postgres
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
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Studies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OwnerId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    DatasetId = table.Column<Guid>(type: "uuid", nullable: false),
                    Strategies = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Seeds = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    SettingsJson = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
