using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>What the nightly reconciliation finds, for the stations to look into and close.</summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261202030000_Reconciliation")]
public sealed class Reconciliation : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.CreateTable("reconciliation_findings", t => new
        {
            id = t.IdentityColumn<long>(),
            found_at = t.Column<DateTime>(),
            kind = t.Column<string>(maxLength: 40),
            station_id = t.Column<int>(),
            booking_id = t.Column<long>(nullable: true),
            slot_id = t.Column<long>(nullable: true),
            detail = t.Column<string>(maxLength: 300),
            closed_at = t.Column<DateTime>(nullable: true),
            closed_by_staff_id = t.Column<int>(nullable: true),
            note = t.Column<string>(maxLength: 500, nullable: true),
        }, constraints: t => t.PrimaryKey("pk_reconciliation_findings", x => x.id));
        mb.CreateIndex("IX_reconciliation_findings_station_id_closed_at", "reconciliation_findings", ["station_id", "closed_at"]);
    }
}
