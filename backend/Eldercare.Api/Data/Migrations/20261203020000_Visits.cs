using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>
/// Home visits as caregivers record them (fixes, photos, checklist) and what the checks made of them; the photos,
/// stored by content, and who read them; patrol visits (巡视探访) due per elder, and elders who asked for them.
/// </summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261203020000_Visits")]
public sealed class Visits : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.AddColumn<bool>("patrol_opt_in", "elders", nullable: false, defaultValue: false);

        mb.CreateTable("patrols", t => new
        {
            id = t.IdentityColumn<long>(),
            elder_id = t.Column<int>(),
            station_id = t.Column<int>(),
            tier = t.Column<string>(maxLength: 32),
            due_by = t.Column<DateOnly>(),
            caregiver_id = t.Column<int>(nullable: true),
            visit_id = t.Column<long>(nullable: true),
            created_at = t.Column<DateTime>(),
            done_at = t.Column<DateTime>(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_patrols", x => x.id);
            t.ForeignKey("FK_patrols_elders_elder_id", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_patrols_stations_station_id", x => x.station_id, "stations", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_patrols_caregivers_caregiver_id", x => x.caregiver_id, "caregivers", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_patrols_station_id_due_by", "patrols", ["station_id", "due_by"]);
        mb.CreateIndex("IX_patrols_caregiver_id_due_by", "patrols", ["caregiver_id", "due_by"]);
        mb.CreateIndex("ux_patrols_open_per_elder", "patrols", "elder_id", unique: true, filter: "visit_id IS NULL");

        mb.CreateTable("visit_photos", t => new
        {
            id = t.IdentityColumn<long>(),
            sha256 = t.Column<string>(maxLength: 64),
            content_type = t.Column<string>(maxLength: 32),
            bytes = t.Column<long>(),
            width = t.Column<int>(),
            height = t.Column<int>(),
            perceptual_hash = t.Column<long>(),
            exif_taken_at = t.Column<DateTime>(nullable: true),
            exif_latitude = t.Column<double>(nullable: true),
            exif_longitude = t.Column<double>(nullable: true),
            station_id = t.Column<int>(),
            uploaded_by_staff_id = t.Column<int>(),
            uploaded_at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_visit_photos", x => x.id);
            t.ForeignKey("FK_visit_photos_stations_station_id", x => x.station_id, "stations", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_visit_photos_staff_accounts_uploaded_by_staff_id", x => x.uploaded_by_staff_id, "staff_accounts", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_visit_photos_sha256", "visit_photos", "sha256", unique: true);
        mb.CreateIndex("IX_visit_photos_station_id", "visit_photos", "station_id");
        mb.CreateIndex("IX_visit_photos_uploaded_by_staff_id", "visit_photos", "uploaded_by_staff_id");

        mb.CreateTable("visit_photo_reads", t => new
        {
            id = t.IdentityColumn<long>(),
            photo_id = t.Column<long>(),
            reader = t.Column<string>(maxLength: 64),
            read_at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_visit_photo_reads", x => x.id);
            t.ForeignKey("FK_visit_photo_reads_visit_photos_photo_id", x => x.photo_id, "visit_photos", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("IX_visit_photo_reads_photo_id_read_at", "visit_photo_reads", ["photo_id", "read_at"]);

        mb.CreateTable("visits", t => new
        {
            id = t.IdentityColumn<long>(),
            kind = t.Column<string>(maxLength: 32),
            booking_id = t.Column<long>(nullable: true),
            patrol_id = t.Column<long>(nullable: true),
            elder_id = t.Column<int>(),
            caregiver_id = t.Column<int>(),
            station_id = t.Column<int>(),
            line = t.Column<string>(maxLength: 32, nullable: true),
            service_name = t.Column<string>(maxLength: 100),
            date = t.Column<DateOnly>(),
            booked_start = t.Column<TimeOnly>(nullable: true),
            booked_end = t.Column<TimeOnly>(nullable: true),
            in_latitude = t.Column<double>(nullable: true),
            in_longitude = t.Column<double>(nullable: true),
            in_accuracy_meters = t.Column<double>(nullable: true),
            in_photo_id = t.Column<long>(nullable: true),
            in_captured_at = t.Column<DateTime>(),
            in_sent_at = t.Column<DateTime>(),
            in_arrived_at = t.Column<DateTime>(),
            out_latitude = t.Column<double>(nullable: true),
            out_longitude = t.Column<double>(nullable: true),
            out_accuracy_meters = t.Column<double>(nullable: true),
            out_photo_id = t.Column<long>(nullable: true),
            out_captured_at = t.Column<DateTime>(nullable: true),
            out_sent_at = t.Column<DateTime>(nullable: true),
            out_arrived_at = t.Column<DateTime>(nullable: true),
            checklist_done = t.Column<string>(maxLength: 500, nullable: true),
            note = t.Column<string>(maxLength: 500, nullable: true),
            new_need = t.Column<string>(maxLength: 500, nullable: true),
            patrol_mood = t.Column<string>(maxLength: 16, nullable: true),
            patrol_home_safe = t.Column<bool>(nullable: true),
            status = t.Column<string>(maxLength: 32),
            review_reasons = t.Column<string>(maxLength: 500, nullable: true),
            resolved_at = t.Column<DateTime>(nullable: true),
            resolved_by_staff_id = t.Column<int>(nullable: true),
            resolution_reason = t.Column<string>(maxLength: 32, nullable: true),
            resolution = t.Column<string>(maxLength: 32, nullable: true),
            resolution_note = t.Column<string>(maxLength: 500, nullable: true),
            created_at = t.Column<DateTime>(),
            updated_at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_visits", x => x.id);
            t.ForeignKey("FK_visits_bookings_booking_id", x => x.booking_id, "bookings", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_visits_patrols_patrol_id", x => x.patrol_id, "patrols", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_visits_elders_elder_id", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_visits_caregivers_caregiver_id", x => x.caregiver_id, "caregivers", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_visits_stations_station_id", x => x.station_id, "stations", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_visits_booking_id", "visits", "booking_id", unique: true);
        mb.CreateIndex("IX_visits_patrol_id", "visits", "patrol_id", unique: true);
        mb.CreateIndex("IX_visits_caregiver_id_date", "visits", ["caregiver_id", "date"]);
        mb.CreateIndex("IX_visits_station_id_status", "visits", ["station_id", "status"]);
        mb.CreateIndex("IX_visits_elder_id_date", "visits", ["elder_id", "date"]);
    }
}
