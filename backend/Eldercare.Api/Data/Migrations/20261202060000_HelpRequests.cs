using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>Elders who asked the hotline for a person, and whether anyone answered (the station's task, the call back).</summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261202060000_HelpRequests")]
public sealed class HelpRequests : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.CreateTable("help_requests", t => new
        {
            id = t.IdentityColumn<long>(),
            call_id = t.Column<string>(maxLength: 64),
            elder_id = t.Column<int>(),
            source = t.Column<string>(maxLength: 32),
            person_reached = t.Column<bool>(),
            requested_at = t.Column<DateTime>(),
            call_back_at = t.Column<DateTime>(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_help_requests", x => x.id);
            t.ForeignKey("FK_help_requests_elders_elder_id", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("IX_help_requests_call_id", "help_requests", "call_id", unique: true);
        mb.CreateIndex("IX_help_requests_elder_id_requested_at", "help_requests", ["elder_id", "requested_at"]);
    }
}
