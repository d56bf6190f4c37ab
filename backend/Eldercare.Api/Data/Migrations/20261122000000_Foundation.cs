using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Eldercare.Api.Data.Migrations;

/// <summary>Places, people and the scheduler heartbeat: what every later feature stands on.</summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261122000000_Foundation")]
public sealed class Foundation : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.CreateTable("streets", t => new
        {
            id = t.IdentityColumn(),
            district = t.Column<string>(maxLength: 50),
            name = t.Column<string>(maxLength: 50),
        }, constraints: t => t.PrimaryKey("pk_streets", x => x.id));

        mb.CreateTable("stations", t => new
        {
            id = t.IdentityColumn(),
            street_id = t.Column<int>(),
            code = t.Column<string>(maxLength: 20),
            name = t.Column<string>(maxLength: 100),
            address = t.Column<string>(maxLength: 200),
            duty_phone = t.Column<string>(maxLength: 20),
            lat = t.Column<double>(),
            lng = t.Column<double>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_stations", x => x.id);
            t.ForeignKey("fk_stations_street", x => x.street_id, "streets", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("ux_stations_code", "stations", "code", unique: true);
        mb.CreateIndex("IX_stations_street_id", "stations", "street_id");

        mb.CreateTable("communities", t => new
        {
            id = t.IdentityColumn(),
            street_id = t.Column<int>(),
            station_id = t.Column<int>(),
            code = t.Column<string>(maxLength: 20),
            name = t.Column<string>(maxLength: 100),
            residents = t.Column<int>(),
            centre_lat = t.Column<double>(),
            centre_lng = t.Column<double>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_communities", x => x.id);
            t.ForeignKey("fk_communities_street", x => x.street_id, "streets", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("fk_communities_station", x => x.station_id, "stations", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("ux_communities_code", "communities", "code", unique: true);
        mb.CreateIndex("ix_communities_station", "communities", "station_id");
        mb.CreateIndex("IX_communities_street_id", "communities", "street_id");

        mb.CreateTable("venues", t => new
        {
            id = t.IdentityColumn(),
            station_id = t.Column<int>(),
            kind = t.Column<string>(maxLength: 32),
            name = t.Column<string>(maxLength: 100),
            address = t.Column<string>(maxLength: 200),
            lat = t.Column<double>(),
            lng = t.Column<double>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_venues", x => x.id);
            t.ForeignKey("fk_venues_station", x => x.station_id, "stations", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("ix_venues_station", "venues", "station_id");

        mb.CreateTable("service_resources", t => new
        {
            id = t.IdentityColumn(),
            station_id = t.Column<int>(),
            venue_id = t.Column<int>(nullable: true),
            kind = t.Column<string>(maxLength: 32),
            name = t.Column<string>(maxLength: 100),
            detail = t.Column<string>(maxLength: 500, nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_service_resources", x => x.id);
            t.ForeignKey("fk_service_resources_station", x => x.station_id, "stations", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("fk_service_resources_venue", x => x.venue_id, "venues", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("ix_service_resources_station", "service_resources", "station_id");
        mb.CreateIndex("ix_service_resources_venue", "service_resources", "venue_id");

        mb.CreateTable("caregivers", t => new
        {
            id = t.IdentityColumn(),
            station_id = t.Column<int>(),
            name = t.Column<string>(maxLength: 50),
            phone = t.Column<string>(maxLength: 20),
            can_bathe = t.Column<bool>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_caregivers", x => x.id);
            t.ForeignKey("fk_caregivers_station", x => x.station_id, "stations", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("ix_caregivers_station", "caregivers", "station_id");

        mb.CreateTable("elders", t => new
        {
            id = t.IdentityColumn(),
            name = t.Column<string>(maxLength: 50),
            gender = t.Column<string>(maxLength: 32),
            birth_date = t.Column<DateOnly>(),
            id_number_cipher = t.Column<string>(maxLength: 200),
            id_number_hash = t.Column<string>(maxLength: 64),
            id_number_last4 = t.Column<string>(maxLength: 4),
            community_id = t.Column<int>(),
            groups = t.Column<int>(),
            ability_level = t.Column<int>(),
            phone = t.Column<string>(maxLength: 20),
            second_phone = t.Column<string>(maxLength: 20, nullable: true),
            address = t.Column<string>(maxLength: 200),
            home_lat = t.Column<double>(),
            home_lng = t.Column<double>(),
            uses_wechat = t.Column<bool>(),
            status = t.Column<string>(maxLength: 32),
            registered_at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_elders", x => x.id);
            t.ForeignKey("fk_elders_community", x => x.community_id, "communities", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("ux_elders_id_number_hash", "elders", "id_number_hash", unique: true);
        mb.CreateIndex("ix_elders_phone", "elders", "phone");
        mb.CreateIndex("ix_elders_community", "elders", "community_id");

        mb.CreateTable("emergency_contacts", t => new
        {
            id = t.IdentityColumn(),
            elder_id = t.Column<int>(),
            name = t.Column<string>(maxLength: 50),
            relation = t.Column<string>(maxLength: 20),
            phone = t.Column<string>(maxLength: 20),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_emergency_contacts", x => x.id);
            t.ForeignKey("fk_emergency_contacts_elder", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("ix_emergency_contacts_elder", "emergency_contacts", "elder_id");

        mb.CreateTable("family_members", t => new
        {
            id = t.IdentityColumn(),
            name = t.Column<string>(maxLength: 50),
            phone = t.Column<string>(maxLength: 20),
            wechat_openid = t.Column<string>(maxLength: 64, nullable: true),
        }, constraints: t => t.PrimaryKey("pk_family_members", x => x.id));
        mb.CreateIndex("ux_family_members_wechat_openid", "family_members", "wechat_openid", unique: true);

        mb.CreateTable("family_bindings", t => new
        {
            id = t.IdentityColumn(),
            family_member_id = t.Column<int>(),
            elder_id = t.Column<int>(),
            relation = t.Column<string>(maxLength: 20),
            status = t.Column<string>(maxLength: 32),
            requested_at = t.Column<DateTime>(),
            confirmed_at = t.Column<DateTime>(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_family_bindings", x => x.id);
            t.ForeignKey("fk_family_bindings_member", x => x.family_member_id, "family_members", "id", onDelete: ReferentialAction.Cascade);
            t.ForeignKey("fk_family_bindings_elder", x => x.elder_id, "elders", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("ux_family_bindings_member_elder", "family_bindings", ["family_member_id", "elder_id"], unique: true);
        mb.CreateIndex("ix_family_bindings_elder", "family_bindings", "elder_id");

        mb.CreateTable("staff_accounts", t => new
        {
            id = t.IdentityColumn(),
            username = t.Column<string>(maxLength: 50),
            display_name = t.Column<string>(maxLength: 50),
            role = t.Column<string>(maxLength: 32),
            station_id = t.Column<int>(nullable: true),
            caregiver_id = t.Column<int>(nullable: true),
            password_hash = t.Column<string>(maxLength: 200),
            failed_logins = t.Column<int>(),
            locked_until = t.Column<DateTime>(nullable: true),
            created_at = t.Column<DateTime>(),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_staff_accounts", x => x.id);
            t.ForeignKey("fk_staff_accounts_station", x => x.station_id, "stations", "id", onDelete: ReferentialAction.Restrict);
            t.ForeignKey("fk_staff_accounts_caregiver", x => x.caregiver_id, "caregivers", "id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("ux_staff_accounts_username", "staff_accounts", "username", unique: true);
        mb.CreateIndex("ix_staff_accounts_station", "staff_accounts", "station_id");
        mb.CreateIndex("ix_staff_accounts_caregiver", "staff_accounts", "caregiver_id");

        mb.CreateTable("scheduler_heartbeats", t => new
        {
            instance_id = t.Column<string>(maxLength: 200),
            last_beat_at = t.Column<DateTime>(),
            last_trigger = t.Column<string>(maxLength: 200),
            beats = t.Column<long>(),
        }, constraints: t => t.PrimaryKey("pk_scheduler_heartbeats", x => x.instance_id));
    }

    protected override void Down(MigrationBuilder mb)
    {
        foreach (var table in new[] { "scheduler_heartbeats", "staff_accounts", "family_bindings", "family_members", "emergency_contacts",
                     "elders", "caregivers", "service_resources", "venues", "communities", "stations", "streets" })
            mb.DropTable(table);
    }
}

/// <summary>Column helpers that keep hand-written migrations provider-neutral.</summary>
internal static class MigrationColumns
{
    /// <summary>An integer key the database numbers itself, on SQLite and PostgreSQL alike.</summary>
    public static OperationBuilder<AddColumnOperation> IdentityColumn(this ColumnsBuilder t) => t.IdentityColumn<int>();

    public static OperationBuilder<AddColumnOperation> IdentityColumn<T>(this ColumnsBuilder t) =>
        t.Column<T>(nullable: false)
            .Annotation("Sqlite:Autoincrement", true)
            .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn);
}
