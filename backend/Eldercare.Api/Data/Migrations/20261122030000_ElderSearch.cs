using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>
/// Finding and registering elders at the window: the pinyin initials of each name (filled in at start for elders
/// registered before, see StartupPreparation), the audit log of staff opening an elder's file, and which station's
/// window registered an elder (its staff serve walk-ins from other zones).
/// </summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261122030000_ElderSearch")]
public sealed class ElderSearch : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.AddColumn<string>("name_initials", "elders", maxLength: 50, nullable: false, defaultValue: "");
        mb.CreateIndex("ix_elders_name_initials", "elders", "name_initials");
        mb.AddColumn<int>("registered_at_station_id", "elders", nullable: true);
        mb.AddColumn<int>("registered_by_staff_id", "elders", nullable: true);
        mb.CreateIndex("ix_elders_registered_at_station", "elders", "registered_at_station_id");
        // Plain columns, no foreign keys: SQLite cannot add one to an existing table, and both only record where and by whom.

        mb.CreateTable("elder_file_reads", t => new
        {
            id = t.IdentityColumn<long>(),
            elder_id = t.Column<int>(),
            staff_account_id = t.Column<int>(),
            read_at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_elder_file_reads", x => x.id);
            t.ForeignKey("fk_elder_file_reads_elder", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("fk_elder_file_reads_staff", x => x.staff_account_id, "staff_accounts", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("ix_elder_file_reads_elder", "elder_file_reads", ["elder_id", "read_at"]);
        mb.CreateIndex("ix_elder_file_reads_staff", "elder_file_reads", "staff_account_id");
    }
}
