using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>
/// A station's day: each elder's meal code (filled in at start for elders registered before), the caregiver a
/// home visit is assigned to, caregivers who left, and the index the day's list per resource reads.
/// </summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261130010000_StationDay")]
public sealed class StationDay : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.AddColumn<string>("meal_code", "elders", maxLength: 10, nullable: true);
        mb.CreateIndex("ux_elders_meal_code", "elders", "meal_code", unique: true);

        mb.AddColumn<bool>("is_active", "caregivers", nullable: false, defaultValue: true);

        // No foreign key: SQLite cannot add one to an existing table, and the engine only sets it to a station's own caregiver.
        mb.AddColumn<int>("caregiver_id", "bookings", nullable: true);
        mb.CreateIndex("IX_bookings_caregiver_id_date", "bookings", ["caregiver_id", "date"]);
        mb.CreateIndex("IX_bookings_resource_id_date", "bookings", ["resource_id", "date"]);
    }
}
