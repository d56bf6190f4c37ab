using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>The booking engine: catalogue, subsidies, slots, bookings and their history, idempotency, waitlist, meal plans.</summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261122010000_BookingEngine")]
public sealed class BookingEngine : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.AddColumn<long>("booking_sequence", "elders", nullable: false, defaultValue: 0L);

        mb.CreateTable("catalog_items", t => new
        {
            id = t.IdentityColumn(),
            code = t.Column<string>(maxLength: 40),
            line = t.Column<string>(maxLength: 32),
            name = t.Column<string>(maxLength: 100),
            detail = t.Column<string>(maxLength: 1000),
            modes = t.Column<int>(),
            provider = t.Column<string>(maxLength: 100),
            duration_minutes = t.Column<int>(),
            list_price_fen = t.Column<long>(),
            is_basic = t.Column<bool>(),
            eligible_groups = t.Column<int>(),
            min_ability_level = t.Column<int>(),
            max_ability_level = t.Column<int>(),
            min_age = t.Column<int>(),
            is_active = t.Column<bool>(),
            version = t.Column<int>(),
            updated_at = t.Column<DateTime>(),
        }, constraints: t => t.PrimaryKey("pk_catalog_items", x => x.id));
        mb.CreateIndex("IX_catalog_items_code", "catalog_items", "code", unique: true);

        mb.CreateTable("catalog_item_versions", t => new
        {
            id = t.IdentityColumn(),
            catalog_item_id = t.Column<int>(),
            version = t.Column<int>(),
            name = t.Column<string>(maxLength: 100),
            detail = t.Column<string>(maxLength: 1000),
            modes = t.Column<int>(),
            provider = t.Column<string>(maxLength: 100),
            duration_minutes = t.Column<int>(),
            list_price_fen = t.Column<long>(),
            is_basic = t.Column<bool>(),
            eligible_groups = t.Column<int>(),
            min_ability_level = t.Column<int>(),
            max_ability_level = t.Column<int>(),
            min_age = t.Column<int>(),
            is_active = t.Column<bool>(),
            changed_at = t.Column<DateTime>(),
            changed_by = t.Column<string>(maxLength: 100),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_catalog_item_versions", x => x.id);
            t.ForeignKey("FK_catalog_item_versions_catalog_items_catalog_item_id", x => x.catalog_item_id, "catalog_items", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("IX_catalog_item_versions_catalog_item_id_version", "catalog_item_versions", ["catalog_item_id", "version"], unique: true);

        mb.CreateTable("subsidy_rules", t => new
        {
            id = t.IdentityColumn(),
            name = t.Column<string>(maxLength: 100),
            line = t.Column<string>(maxLength: 32, nullable: true),
            catalog_item_id = t.Column<int>(nullable: true),
            eligible_groups = t.Column<int>(),
            min_age = t.Column<int>(),
            min_ability_level = t.Column<int>(),
            kind = t.Column<string>(maxLength: 32),
            amount = t.Column<long>(),
            daily_cap_fen = t.Column<long>(nullable: true),
            monthly_cap_fen = t.Column<long>(nullable: true),
            priority = t.Column<int>(),
            is_active = t.Column<bool>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_subsidy_rules", x => x.id);
            t.ForeignKey("FK_subsidy_rules_catalog_items_catalog_item_id", x => x.catalog_item_id, "catalog_items", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_subsidy_rules_catalog_item_id", "subsidy_rules", "catalog_item_id");

        mb.CreateTable("subsidy_budgets", t => new
        {
            id = t.IdentityColumn<long>(),
            elder_id = t.Column<int>(),
            rule_id = t.Column<int>(),
            period = t.Column<string>(maxLength: 10),
            cap_fen = t.Column<long>(),
            used_fen = t.Column<long>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_subsidy_budgets", x => x.id);
            t.ForeignKey("FK_subsidy_budgets_elders_elder_id", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_subsidy_budgets_subsidy_rules_rule_id", x => x.rule_id, "subsidy_rules", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_subsidy_budgets_elder_id_rule_id_period", "subsidy_budgets", ["elder_id", "rule_id", "period"], unique: true);
        mb.CreateIndex("IX_subsidy_budgets_rule_id", "subsidy_budgets", "rule_id");

        mb.CreateTable("slot_templates", t => new
        {
            id = t.IdentityColumn(),
            catalog_item_id = t.Column<int>(),
            resource_id = t.Column<int>(),
            weekday = t.Column<string>(maxLength: 32),
            start = t.Column<TimeOnly>(),
            end = t.Column<TimeOnly>(),
            meal_period = t.Column<string>(maxLength: 32, nullable: true),
            capacity = t.Column<int>(),
            cutoff_days_before = t.Column<int>(),
            cutoff_time = t.Column<TimeOnly>(),
            is_active = t.Column<bool>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_slot_templates", x => x.id);
            t.ForeignKey("FK_slot_templates_catalog_items_catalog_item_id", x => x.catalog_item_id, "catalog_items", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_slot_templates_service_resources_resource_id", x => x.resource_id, "service_resources", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_slot_templates_catalog_item_id", "slot_templates", "catalog_item_id");
        mb.CreateIndex("IX_slot_templates_resource_id", "slot_templates", "resource_id");

        mb.CreateTable("slots", t => new
        {
            id = t.IdentityColumn<long>(),
            catalog_item_id = t.Column<int>(),
            resource_id = t.Column<int>(),
            template_id = t.Column<int>(nullable: true),
            date = t.Column<DateOnly>(),
            start = t.Column<TimeOnly>(),
            end = t.Column<TimeOnly>(),
            meal_period = t.Column<string>(maxLength: 32, nullable: true),
            capacity = t.Column<int>(),
            booked = t.Column<int>(),
            cutoff_at = t.Column<DateTime>(),
            status = t.Column<string>(maxLength: 32),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_slots", x => x.id);
            t.ForeignKey("FK_slots_catalog_items_catalog_item_id", x => x.catalog_item_id, "catalog_items", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_slots_service_resources_resource_id", x => x.resource_id, "service_resources", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_slots_slot_templates_template_id", x => x.template_id, "slot_templates", "id", onDelete: ReferentialAction.SetNull);
        });
        mb.CreateIndex("IX_slots_catalog_item_id_resource_id_date_start", "slots", ["catalog_item_id", "resource_id", "date", "start"], unique: true);
        mb.CreateIndex("IX_slots_resource_id_date", "slots", ["resource_id", "date"]);
        mb.CreateIndex("IX_slots_template_id", "slots", "template_id");

        mb.CreateTable("closures", t => new
        {
            id = t.IdentityColumn(),
            resource_id = t.Column<int>(),
            from = t.Column<DateOnly>(),
            to = t.Column<DateOnly>(),
            reason = t.Column<string>(maxLength: 200),
            move_bookings = t.Column<bool>(),
            created_at = t.Column<DateTime>(),
            created_by_staff_id = t.Column<int>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_closures", x => x.id);
            t.ForeignKey("FK_closures_service_resources_resource_id", x => x.resource_id, "service_resources", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_closures_resource_id", "closures", "resource_id");

        mb.CreateTable("bookings", t => new
        {
            id = t.IdentityColumn<long>(),
            elder_id = t.Column<int>(),
            slot_id = t.Column<long>(),
            catalog_item_id = t.Column<int>(),
            catalog_version = t.Column<int>(),
            line = t.Column<string>(maxLength: 32),
            service_name = t.Column<string>(maxLength: 100),
            resource_id = t.Column<int>(),
            date = t.Column<DateOnly>(),
            start = t.Column<TimeOnly>(),
            end = t.Column<TimeOnly>(),
            meal_period = t.Column<string>(maxLength: 32, nullable: true),
            mode = t.Column<int>(),
            status = t.Column<string>(maxLength: 32),
            channel = t.Column<string>(maxLength: 32),
            booked_by_kind = t.Column<string>(maxLength: 32),
            booked_by_id = t.Column<int>(nullable: true),
            list_price_fen = t.Column<long>(),
            subsidy_fen = t.Column<long>(),
            payable_fen = t.Column<long>(),
            cancel_reason = t.Column<string>(maxLength: 200, nullable: true),
            created_at = t.Column<DateTime>(),
            updated_at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_bookings", x => x.id);
            t.ForeignKey("FK_bookings_catalog_items_catalog_item_id", x => x.catalog_item_id, "catalog_items", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_bookings_elders_elder_id", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_bookings_slots_slot_id", x => x.slot_id, "slots", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_bookings_catalog_item_id", "bookings", "catalog_item_id");
        mb.CreateIndex("IX_bookings_elder_id_date", "bookings", ["elder_id", "date"]);
        mb.CreateIndex("IX_bookings_slot_id_status", "bookings", ["slot_id", "status"]);

        mb.CreateTable("booking_events", t => new
        {
            id = t.IdentityColumn<long>(),
            booking_id = t.Column<long>(),
            from_status = t.Column<string>(maxLength: 32, nullable: true),
            to_status = t.Column<string>(maxLength: 32),
            at = t.Column<DateTime>(),
            actor_kind = t.Column<string>(maxLength: 32),
            actor_id = t.Column<int>(nullable: true),
            channel = t.Column<string>(maxLength: 32),
            note = t.Column<string>(maxLength: 200, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_booking_events", x => x.id);
            t.ForeignKey("FK_booking_events_bookings_booking_id", x => x.booking_id, "bookings", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("IX_booking_events_booking_id", "booking_events", "booking_id");

        mb.CreateTable("idempotency_records", t => new
        {
            id = t.IdentityColumn<long>(),
            scope = t.Column<string>(maxLength: 40),
            key = t.Column<string>(maxLength: 100),
            request_hash = t.Column<string>(maxLength: 64),
            booking_id = t.Column<long>(),
            created_at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_idempotency_records", x => x.id);
            t.ForeignKey("FK_idempotency_records_bookings_booking_id", x => x.booking_id, "bookings", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("IX_idempotency_records_booking_id", "idempotency_records", "booking_id");
        mb.CreateIndex("IX_idempotency_records_scope_key", "idempotency_records", ["scope", "key"], unique: true);

        mb.CreateTable("subsidy_ledger", t => new
        {
            id = t.IdentityColumn<long>(),
            elder_id = t.Column<int>(),
            rule_id = t.Column<int>(),
            booking_id = t.Column<long>(),
            line = t.Column<string>(maxLength: 32),
            service_date = t.Column<DateOnly>(),
            month = t.Column<string>(maxLength: 7),
            amount_fen = t.Column<long>(),
            recorded_at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_subsidy_ledger", x => x.id);
            t.ForeignKey("FK_subsidy_ledger_bookings_booking_id", x => x.booking_id, "bookings", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_subsidy_ledger_elders_elder_id", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_subsidy_ledger_subsidy_rules_rule_id", x => x.rule_id, "subsidy_rules", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_subsidy_ledger_booking_id", "subsidy_ledger", "booking_id");
        mb.CreateIndex("IX_subsidy_ledger_elder_id_month", "subsidy_ledger", ["elder_id", "month"]);
        mb.CreateIndex("IX_subsidy_ledger_rule_id", "subsidy_ledger", "rule_id");

        mb.CreateTable("waitlist_entries", t => new
        {
            id = t.IdentityColumn<long>(),
            elder_id = t.Column<int>(),
            slot_id = t.Column<long>(),
            priority_tier = t.Column<int>(),
            status = t.Column<string>(maxLength: 32),
            mode = t.Column<int>(),
            channel = t.Column<string>(maxLength: 32),
            requested_by_kind = t.Column<string>(maxLength: 32),
            requested_by_id = t.Column<int>(nullable: true),
            booking_id = t.Column<long>(nullable: true),
            outcome = t.Column<string>(maxLength: 200, nullable: true),
            created_at = t.Column<DateTime>(),
            updated_at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_waitlist_entries", x => x.id);
            t.ForeignKey("FK_waitlist_entries_bookings_booking_id", x => x.booking_id, "bookings", "id", onDelete: ReferentialAction.SetNull);
            t.ForeignKey("FK_waitlist_entries_elders_elder_id", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_waitlist_entries_slots_slot_id", x => x.slot_id, "slots", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("IX_waitlist_entries_booking_id", "waitlist_entries", "booking_id");
        mb.CreateIndex("IX_waitlist_entries_elder_id", "waitlist_entries", "elder_id");
        mb.CreateIndex("IX_waitlist_entries_slot_id_status", "waitlist_entries", ["slot_id", "status"]);

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

        mb.CreateTable("meal_plans", t => new
        {
            id = t.IdentityColumn(),
            elder_id = t.Column<int>(),
            weekdays = t.Column<int>(),
            period = t.Column<string>(maxLength: 32),
            menu_item_id = t.Column<int>(),
            resource_id = t.Column<int>(),
            mode = t.Column<int>(),
            status = t.Column<string>(maxLength: 32),
            channel = t.Column<string>(maxLength: 32),
            created_by_kind = t.Column<string>(maxLength: 32),
            created_by_id = t.Column<int>(nullable: true),
            created_at = t.Column<DateTime>(),
            updated_at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_meal_plans", x => x.id);
            t.ForeignKey("FK_meal_plans_catalog_items_menu_item_id", x => x.menu_item_id, "catalog_items", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("FK_meal_plans_elders_elder_id", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("FK_meal_plans_service_resources_resource_id", x => x.resource_id, "service_resources", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_meal_plans_elder_id", "meal_plans", "elder_id");
        mb.CreateIndex("IX_meal_plans_menu_item_id", "meal_plans", "menu_item_id");
        mb.CreateIndex("IX_meal_plans_resource_id", "meal_plans", "resource_id");
    }

    protected override void Down(MigrationBuilder mb)
    {
        foreach (var table in new[] { "meal_plans", "notifications", "waitlist_entries", "subsidy_ledger", "idempotency_records", "booking_events",
                     "bookings", "closures", "slots", "slot_templates", "subsidy_budgets", "subsidy_rules", "catalog_item_versions", "catalog_items" })
            mb.DropTable(table);
        mb.DropColumn("booking_sequence", "elders");
    }
}
