using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>Payments taken at the station window (cash, card, WeChat scan) and their refunds; what each booking has been paid.</summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261122040000_WindowPayments")]
public sealed class WindowPayments : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.AddColumn<long>("paid_fen", "bookings", nullable: false, defaultValue: 0L);

        mb.CreateTable("payments", t => new
        {
            id = t.IdentityColumn<long>(),
            booking_id = t.Column<long>(),
            elder_id = t.Column<int>(),
            kind = t.Column<string>(maxLength: 32),
            method = t.Column<string>(maxLength: 32),
            amount_fen = t.Column<long>(),
            station_id = t.Column<int>(nullable: true),
            staff_account_id = t.Column<int>(nullable: true),
            at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_payments", x => x.id);
            t.ForeignKey("FK_payments_bookings_booking_id", x => x.booking_id, "bookings", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_payments_elders_elder_id", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_payments_booking_id_kind", "payments", ["booking_id", "kind"], unique: true);
        mb.CreateIndex("IX_payments_station_id_at", "payments", ["station_id", "at"]);
        mb.CreateIndex("IX_payments_elder_id", "payments", "elder_id");
    }
}
