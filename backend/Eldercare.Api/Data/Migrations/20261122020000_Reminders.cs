using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>
/// Reminders: the notices of the booking engine become reminder rows with a due time and a dispatch claim, and each
/// one is handed to its recipients' channels as deliveries. Elders gain a WeChat identity, a channel preference and a daily check-in time (the patrol list). Monthly subsidy summaries per station.
/// </summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261122020000_Reminders")]
public sealed class Reminders : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.AddColumn<string>("wechat_open_id", "elders", maxLength: 64, nullable: true);
        mb.AddColumn<string>("preferred_channel", "elders", maxLength: 32, nullable: true);
        mb.AddColumn<TimeOnly>("daily_check_in_at", "elders", nullable: true);

        mb.CreateTable("reminders", t => new
        {
            id = t.IdentityColumn<long>(),
            elder_id = t.Column<int>(),
            kind = t.Column<string>(maxLength: 32),
            booking_id = t.Column<long>(nullable: true),
            text = t.Column<string>(maxLength: 500),
            created_at = t.Column<DateTime>(),
            due_at = t.Column<DateTime>(),
            status = t.Column<string>(maxLength: 32),
            attempts = t.Column<int>(),
            claim_token = t.Column<string>(maxLength: 100, nullable: true),
            claim_expires_at = t.Column<DateTime>(nullable: true),
            sent_at = t.Column<DateTime>(nullable: true),
            last_error = t.Column<string>(maxLength: 500, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_reminders", x => x.id);
            t.ForeignKey("FK_reminders_bookings_booking_id", x => x.booking_id, "bookings", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_reminders_elders_elder_id", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("IX_reminders_status_due_at", "reminders", ["status", "due_at"]);
        mb.CreateIndex("IX_reminders_claim_token", "reminders", "claim_token");
        mb.CreateIndex("IX_reminders_elder_id", "reminders", "elder_id");
        mb.CreateIndex("IX_reminders_booking_id", "reminders", "booking_id");

        // Notices written before reminders existed are due at once (or already sent).
        mb.Sql("""
            INSERT INTO reminders (elder_id, kind, booking_id, text, created_at, due_at, status, attempts, sent_at)
            SELECT elder_id, kind, booking_id, text, created_at, created_at, CASE WHEN sent_at IS NULL THEN 'Pending' ELSE 'Sent' END, 0, sent_at
            FROM notifications
            """);
        mb.DropTable("notifications");

        mb.CreateTable("deliveries", t => new
        {
            id = t.IdentityColumn<long>(),
            reminder_id = t.Column<long>(),
            elder_id = t.Column<int>(),
            recipient_kind = t.Column<string>(maxLength: 32),
            recipient_id = t.Column<int>(),
            channel = t.Column<string>(maxLength: 32),
            text = t.Column<string>(maxLength: 500),
            status = t.Column<string>(maxLength: 32),
            created_at = t.Column<DateTime>(),
            updated_at = t.Column<DateTime>(nullable: true),
            fail_reason = t.Column<string>(maxLength: 500, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_deliveries", x => x.id);
            t.ForeignKey("FK_deliveries_reminders_reminder_id", x => x.reminder_id, "reminders", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_deliveries_elders_elder_id", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("IX_deliveries_reminder_id_recipient_kind_recipient_id_channel", "deliveries",
            ["reminder_id", "recipient_kind", "recipient_id", "channel"], unique: true);
        mb.CreateIndex("IX_deliveries_channel_status", "deliveries", ["channel", "status"]);
        mb.CreateIndex("IX_deliveries_elder_id", "deliveries", "elder_id");

        mb.CreateTable("subsidy_summaries", t => new
        {
            id = t.IdentityColumn<long>(),
            station_id = t.Column<int>(),
            month = t.Column<string>(maxLength: 7),
            line = t.Column<string>(maxLength: 32),
            uses = t.Column<int>(),
            elders = t.Column<int>(),
            amount_fen = t.Column<long>(),
            computed_at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_subsidy_summaries", x => x.id);
            t.ForeignKey("FK_subsidy_summaries_stations_station_id", x => x.station_id, "stations", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("IX_subsidy_summaries_station_id_month_line", "subsidy_summaries", ["station_id", "month", "line"], unique: true);
    }

    protected override void Down(MigrationBuilder mb)
    {
        mb.DropTable("subsidy_summaries");
        mb.DropTable("deliveries");
        mb.CreateTable("notifications", t => new
        {
            id = t.IdentityColumn<long>(),
            elder_id = t.Column<int>(),
            kind = t.Column<string>(maxLength: 32),
            booking_id = t.Column<long>(nullable: true),
            text = t.Column<string>(maxLength: 500),
            created_at = t.Column<DateTime>(),
            sent_at = t.Column<DateTime>(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_notifications", x => x.id);
            t.ForeignKey("FK_notifications_bookings_booking_id", x => x.booking_id, "bookings", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_notifications_elders_elder_id", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("IX_notifications_booking_id", "notifications", "booking_id");
        mb.CreateIndex("IX_notifications_elder_id", "notifications", "elder_id");
        mb.DropTable("reminders");
        mb.DropColumn("daily_check_in_at", "elders");
        mb.DropColumn("preferred_channel", "elders");
        mb.DropColumn("wechat_open_id", "elders");
    }
}
