using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>What elders and family said about a visit after it (done or not, a rating), by which channel.</summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261203040000_VisitConfirmations")]
public sealed class VisitConfirmations : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.CreateTable("visit_confirmations", t => new
        {
            id = t.IdentityColumn<long>(),
            visit_id = t.Column<long>(),
            done = t.Column<bool>(),
            rating = t.Column<int>(nullable: true),
            channel = t.Column<string>(maxLength: 32),
            by = t.Column<string>(maxLength: 32),
            at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_visit_confirmations", x => x.id);
            t.ForeignKey("FK_visit_confirmations_visits_visit_id", x => x.visit_id, "visits", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("IX_visit_confirmations_visit_id_at", "visit_confirmations", ["visit_id", "at"]);
    }
}
