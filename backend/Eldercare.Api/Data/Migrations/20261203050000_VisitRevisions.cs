using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>
/// Visits keep an integrity hash and their earlier states (revisions); locked records can be unlocked by an officer for a
/// while. A delivered meal's handover may be proved by the elder's meal code.
/// </summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261203050000_VisitRevisions")]
public sealed class VisitRevisions : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.AddColumn<string>("integrity_hash", "visits", maxLength: 64, nullable: true);
        mb.AddColumn<bool>("meal_code_scanned", "visits", nullable: false, defaultValue: false);
        mb.AddColumn<DateTime>("unlocked_until", "visits", nullable: true);
        mb.AddColumn<int>("unlocked_by_staff_id", "visits", nullable: true);
        mb.AddColumn<string>("unlock_reason", "visits", maxLength: 200, nullable: true);

        mb.CreateTable("visit_revisions", t => new
        {
            id = t.IdentityColumn<long>(),
            visit_id = t.Column<long>(),
            number = t.Column<int>(),
            before = t.Column<string>(),
            before_hash = t.Column<string>(maxLength: 64),
            changed_by = t.Column<string>(maxLength: 32),
            changed_at = t.Column<DateTime>(),
            why = t.Column<string>(maxLength: 500),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_visit_revisions", x => x.id);
            t.ForeignKey("FK_visit_revisions_visits_visit_id", x => x.visit_id, "visits", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("IX_visit_revisions_visit_id_number", "visit_revisions", ["visit_id", "number"], unique: true);
    }
}
