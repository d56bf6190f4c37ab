using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>Refused looks at an elder's file are logged too; so is every view of a station's day (it lists phones and addresses).</summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261202020000_AuditedReads")]
public sealed class AuditedReads : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.AddColumn<bool>("refused", "elder_file_reads", nullable: false, defaultValue: false);

        mb.CreateTable("station_day_reads", t => new
        {
            id = t.IdentityColumn<long>(),
            station_id = t.Column<int>(),
            day = t.Column<DateOnly>(),
            staff_account_id = t.Column<int>(),
            read_at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_station_day_reads", x => x.id);
            t.ForeignKey("FK_station_day_reads_stations_station_id", x => x.station_id, "stations", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_station_day_reads_staff_accounts_staff_account_id", x => x.staff_account_id, "staff_accounts", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_station_day_reads_station_id_read_at", "station_day_reads", ["station_id", "read_at"]);
        mb.CreateIndex("IX_station_day_reads_staff_account_id", "station_day_reads", "staff_account_id");
    }
}
