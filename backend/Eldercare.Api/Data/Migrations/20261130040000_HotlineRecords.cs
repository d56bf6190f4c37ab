using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>The hotline's emergency cases and its call log.</summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261130040000_HotlineRecords")]
public sealed class HotlineRecords : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.CreateTable("emergency_cases", t => new
        {
            id = t.IdentityColumn<long>(),
            elder_id = t.Column<int>(),
            station_id = t.Column<int>(),
            source = t.Column<string>(maxLength: 20),
            call_id = t.Column<string>(maxLength: 64, nullable: true),
            status = t.Column<string>(maxLength: 32),
            opened_at = t.Column<DateTime>(),
            closed_at = t.Column<DateTime>(nullable: true),
            closed_by_staff_id = t.Column<int>(nullable: true),
            note = t.Column<string>(maxLength: 500, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_emergency_cases", x => x.id);
            t.ForeignKey("FK_emergency_cases_elders_elder_id", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_emergency_cases_station_id_status", "emergency_cases", ["station_id", "status"]);
        mb.CreateIndex("IX_emergency_cases_elder_id", "emergency_cases", "elder_id");

        mb.CreateTable("call_records", t => new
        {
            id = t.IdentityColumn<long>(),
            call_id = t.Column<string>(maxLength: 64),
            direction = t.Column<string>(maxLength: 32),
            number = t.Column<string>(maxLength: 20, nullable: true),
            elder_id = t.Column<int>(nullable: true),
            path = t.Column<string>(maxLength: 1000),
            outcome = t.Column<string>(maxLength: 100),
            started_at = t.Column<DateTime>(),
            duration_seconds = t.Column<int>(),
        }, constraints: t => t.PrimaryKey("pk_call_records", x => x.id));
        mb.CreateIndex("IX_call_records_call_id", "call_records", "call_id", unique: true);
        mb.CreateIndex("IX_call_records_elder_id_started_at", "call_records", ["elder_id", "started_at"]);
        mb.CreateIndex("IX_call_records_started_at", "call_records", "started_at");
    }
}
