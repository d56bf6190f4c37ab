using Eldercare.Api.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Eldercare.Api.Data;

// Table and column names are snake_case so that hand-written SQL, psql and sqlite3 read naturally.
// Keep these in step with Migrations/: the schema test fails when they drift apart.

internal sealed class StreetConfiguration : IEntityTypeConfiguration<Street>
{
    public void Configure(EntityTypeBuilder<Street> e)
    {
        e.ToTable("streets");
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.District).HasColumnName("district").HasMaxLength(50);
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(50);
    }
}

internal sealed class StationConfiguration : IEntityTypeConfiguration<Station>
{
    public void Configure(EntityTypeBuilder<Station> e)
    {
        e.ToTable("stations");
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.StreetId).HasColumnName("street_id");
        e.Property(x => x.Code).HasColumnName("code").HasMaxLength(20);
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(100);
        e.Property(x => x.Address).HasColumnName("address").HasMaxLength(200);
        e.Property(x => x.DutyPhone).HasColumnName("duty_phone").HasMaxLength(20);
        e.ComplexProperty(x => x.Location, g => g.MapGeoPoint(""));
        e.HasIndex(x => x.Code).IsUnique().HasDatabaseName("ux_stations_code");
        e.HasOne<Street>().WithMany().HasForeignKey(x => x.StreetId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_stations_street");
    }
}

internal sealed class CommunityConfiguration : IEntityTypeConfiguration<Community>
{
    public void Configure(EntityTypeBuilder<Community> e)
    {
        e.ToTable("communities");
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.StreetId).HasColumnName("street_id");
        e.Property(x => x.StationId).HasColumnName("station_id");
        e.Property(x => x.Code).HasColumnName("code").HasMaxLength(20);
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(100);
        e.Property(x => x.Residents).HasColumnName("residents");
        e.ComplexProperty(x => x.Centre, g => g.MapGeoPoint("centre_"));
        e.HasIndex(x => x.Code).IsUnique().HasDatabaseName("ux_communities_code");
        e.HasIndex(x => x.StationId).HasDatabaseName("ix_communities_station");
        e.HasOne<Street>().WithMany().HasForeignKey(x => x.StreetId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_communities_street");
        e.HasOne<Station>().WithMany().HasForeignKey(x => x.StationId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_communities_station");
    }
}

internal sealed class VenueConfiguration : IEntityTypeConfiguration<Venue>
{
    public void Configure(EntityTypeBuilder<Venue> e)
    {
        e.ToTable("venues");
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.StationId).HasColumnName("station_id");
        e.Property(x => x.Kind).HasColumnName("kind");
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(100);
        e.Property(x => x.Address).HasColumnName("address").HasMaxLength(200);
        e.ComplexProperty(x => x.Location, g => g.MapGeoPoint(""));
        e.HasIndex(x => x.StationId).HasDatabaseName("ix_venues_station");
        e.HasOne<Station>().WithMany().HasForeignKey(x => x.StationId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_venues_station");
    }
}

internal sealed class ServiceResourceConfiguration : IEntityTypeConfiguration<ServiceResource>
{
    public void Configure(EntityTypeBuilder<ServiceResource> e)
    {
        e.ToTable("service_resources");
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.StationId).HasColumnName("station_id");
        e.Property(x => x.VenueId).HasColumnName("venue_id");
        e.Property(x => x.Kind).HasColumnName("kind");
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(100);
        e.Property(x => x.Detail).HasColumnName("detail").HasMaxLength(500);
        e.HasIndex(x => x.StationId).HasDatabaseName("ix_service_resources_station");
        e.HasIndex(x => x.VenueId).HasDatabaseName("ix_service_resources_venue");
        e.HasOne<Station>().WithMany().HasForeignKey(x => x.StationId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_service_resources_station");
        e.HasOne<Venue>().WithMany().HasForeignKey(x => x.VenueId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_service_resources_venue");
    }
}

internal sealed class CaregiverConfiguration : IEntityTypeConfiguration<Caregiver>
{
    public void Configure(EntityTypeBuilder<Caregiver> e)
    {
        e.ToTable("caregivers");
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.StationId).HasColumnName("station_id");
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(50);
        e.Property(x => x.Phone).HasColumnName("phone").HasMaxLength(20);
        e.Property(x => x.CanBathe).HasColumnName("can_bathe");
        e.Property(x => x.IsActive).HasColumnName("is_active").HasDefaultValue(true);
        e.HasIndex(x => x.StationId).HasDatabaseName("ix_caregivers_station");
        e.HasOne<Station>().WithMany().HasForeignKey(x => x.StationId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_caregivers_station");
    }
}

internal sealed class StationDayReadConfiguration : IEntityTypeConfiguration<StationDayRead>
{
    public void Configure(EntityTypeBuilder<StationDayRead> e)
    {
        e.HasIndex(x => new { x.StationId, x.ReadAt });
        e.HasIndex(x => x.StaffAccountId);
        e.HasOne<Station>().WithMany().HasForeignKey(x => x.StationId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<StaffAccount>().WithMany().HasForeignKey(x => x.StaffAccountId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ElderFileReadConfiguration : IEntityTypeConfiguration<ElderFileRead>
{
    public void Configure(EntityTypeBuilder<ElderFileRead> e)
    {
        e.ToTable("elder_file_reads");
        e.Property(x => x.Refused).HasDefaultValue(false);
        e.HasIndex(x => new { x.ElderId, x.ReadAt }).HasDatabaseName("ix_elder_file_reads_elder");
        e.HasIndex(x => x.StaffAccountId).HasDatabaseName("ix_elder_file_reads_staff");
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_elder_file_reads_elder");
        e.HasOne<StaffAccount>().WithMany().HasForeignKey(x => x.StaffAccountId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_elder_file_reads_staff");
    }
}

internal sealed class ElderConfiguration : IEntityTypeConfiguration<Elder>
{
    public void Configure(EntityTypeBuilder<Elder> e)
    {
        e.ToTable("elders");
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(50);
        e.Property(x => x.NameInitials).HasColumnName("name_initials").HasMaxLength(50).HasDefaultValue("");
        e.Property(x => x.Gender).HasColumnName("gender");
        e.Property(x => x.BirthDate).HasColumnName("birth_date");
        e.Property(x => x.IdNumberCipher).HasColumnName("id_number_cipher").HasMaxLength(200);
        e.Property(x => x.IdNumberHash).HasColumnName("id_number_hash").HasMaxLength(64);
        e.Property(x => x.IdNumberTailHash).HasColumnName("id_number_tail_hash").HasMaxLength(64).HasDefaultValue("");
        e.Property(x => x.CommunityId).HasColumnName("community_id");
        e.Property(x => x.Groups).HasColumnName("groups").HasConversion<int>();
        e.Property(x => x.AbilityLevel).HasColumnName("ability_level");
        e.Property(x => x.Phone).HasColumnName("phone").HasMaxLength(20);
        e.Property(x => x.SecondPhone).HasColumnName("second_phone").HasMaxLength(20);
        e.Property(x => x.Address).HasColumnName("address").HasMaxLength(200);
        e.ComplexProperty(x => x.Home, g => g.MapGeoPoint("home_"));
        e.Property(x => x.UsesWeChat).HasColumnName("uses_wechat");
        e.Property(x => x.WeChatOpenId).HasColumnName("wechat_open_id").HasMaxLength(64);
        e.Property(x => x.PreferredChannel).HasColumnName("preferred_channel");
        e.Property(x => x.DailyCheckInAt).HasColumnName("daily_check_in_at");
        e.Property(x => x.PatrolOptIn).HasColumnName("patrol_opt_in").HasDefaultValue(false);
        e.Property(x => x.Status).HasColumnName("status");
        e.Property(x => x.RegisteredAt).HasColumnName("registered_at");
        e.Property(x => x.RegisteredAtStationId).HasColumnName("registered_at_station_id");
        e.Property(x => x.RegisteredByStaffId).HasColumnName("registered_by_staff_id");
        e.Property(x => x.BookingSequence).HasColumnName("booking_sequence").HasDefaultValue(0L);
        // Every new file gets a code when it is added; elders read from the database are not given one they throw away.
        e.Property(x => x.MealCode).HasColumnName("meal_code").HasMaxLength(MealCode.Length).HasValueGenerator<MealCodeGenerator>();
        e.HasIndex(x => x.IdNumberHash).IsUnique().HasDatabaseName("ux_elders_id_number_hash");
        e.HasIndex(x => x.Phone).HasDatabaseName("ix_elders_phone");
        e.HasIndex(x => x.MealCode).IsUnique().HasDatabaseName("ux_elders_meal_code");
        e.HasIndex(x => x.NameInitials).HasDatabaseName("ix_elders_name_initials");
        e.HasIndex(x => x.RegisteredAtStationId).HasDatabaseName("ix_elders_registered_at_station");
        e.HasIndex(x => x.CommunityId).HasDatabaseName("ix_elders_community");
        e.HasOne<Community>().WithMany().HasForeignKey(x => x.CommunityId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_elders_community");
        e.HasMany(x => x.EmergencyContacts).WithOne().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_emergency_contacts_elder");
    }
}

internal sealed class EmergencyContactConfiguration : IEntityTypeConfiguration<EmergencyContact>
{
    public void Configure(EntityTypeBuilder<EmergencyContact> e)
    {
        e.ToTable("emergency_contacts");
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.ElderId).HasColumnName("elder_id");
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(50);
        e.Property(x => x.Relation).HasColumnName("relation").HasMaxLength(20);
        e.Property(x => x.Phone).HasColumnName("phone").HasMaxLength(20);
        e.HasIndex(x => x.ElderId).HasDatabaseName("ix_emergency_contacts_elder");
    }
}

internal sealed class FamilyMemberConfiguration : IEntityTypeConfiguration<FamilyMember>
{
    public void Configure(EntityTypeBuilder<FamilyMember> e)
    {
        e.ToTable("family_members");
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(50);
        e.Property(x => x.Phone).HasColumnName("phone").HasMaxLength(20);
        e.Property(x => x.WeChatOpenId).HasColumnName("wechat_openid").HasMaxLength(64);
        e.HasIndex(x => x.WeChatOpenId).IsUnique().HasDatabaseName("ux_family_members_wechat_openid");
        e.HasMany(x => x.Bindings).WithOne().HasForeignKey(x => x.FamilyMemberId).OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_family_bindings_member");
    }
}

internal sealed class FamilyBindingConfiguration : IEntityTypeConfiguration<FamilyBinding>
{
    public void Configure(EntityTypeBuilder<FamilyBinding> e)
    {
        e.ToTable("family_bindings");
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.FamilyMemberId).HasColumnName("family_member_id");
        e.Property(x => x.ElderId).HasColumnName("elder_id");
        e.Property(x => x.Relation).HasColumnName("relation").HasMaxLength(20);
        e.Property(x => x.Status).HasColumnName("status");
        e.Property(x => x.RequestedAt).HasColumnName("requested_at");
        e.Property(x => x.ConfirmedAt).HasColumnName("confirmed_at");
        e.HasIndex(x => new { x.FamilyMemberId, x.ElderId }).IsUnique().HasDatabaseName("ux_family_bindings_member_elder");
        e.HasIndex(x => x.ElderId).HasDatabaseName("ix_family_bindings_elder");
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Cascade).HasConstraintName("fk_family_bindings_elder");
    }
}

internal sealed class StaffAccountConfiguration : IEntityTypeConfiguration<StaffAccount>
{
    public void Configure(EntityTypeBuilder<StaffAccount> e)
    {
        e.ToTable("staff_accounts");
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.Username).HasColumnName("username").HasMaxLength(50);
        e.Property(x => x.DisplayName).HasColumnName("display_name").HasMaxLength(50);
        e.Property(x => x.Role).HasColumnName("role");
        e.Property(x => x.StationId).HasColumnName("station_id");
        e.Property(x => x.CaregiverId).HasColumnName("caregiver_id");
        e.Property(x => x.WeChatOpenId).HasColumnName("wechat_open_id").HasMaxLength(128);
        e.HasIndex(x => x.WeChatOpenId).IsUnique().HasDatabaseName("ux_staff_accounts_wechat_open_id");
        e.Property(x => x.PasswordHash).HasColumnName("password_hash").HasMaxLength(200);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.HasIndex(x => x.Username).IsUnique().HasDatabaseName("ux_staff_accounts_username");
        e.HasIndex(x => x.StationId).HasDatabaseName("ix_staff_accounts_station");
        e.HasIndex(x => x.CaregiverId).HasDatabaseName("ix_staff_accounts_caregiver");
        e.HasOne<Station>().WithMany().HasForeignKey(x => x.StationId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_staff_accounts_station");
        e.HasOne<Caregiver>().WithMany().HasForeignKey(x => x.CaregiverId).OnDelete(DeleteBehavior.Restrict).HasConstraintName("fk_staff_accounts_caregiver");
    }
}

internal sealed class SchedulerHeartbeatConfiguration : IEntityTypeConfiguration<SchedulerHeartbeat>
{
    public void Configure(EntityTypeBuilder<SchedulerHeartbeat> e)
    {
        e.ToTable("scheduler_heartbeats");
        e.HasKey(x => x.InstanceId).HasName("pk_scheduler_heartbeats");
        e.Property(x => x.InstanceId).HasColumnName("instance_id").HasMaxLength(200);
        e.Property(x => x.LastBeatAt).HasColumnName("last_beat_at");
        e.Property(x => x.LastTrigger).HasColumnName("last_trigger").HasMaxLength(200);
        e.Property(x => x.Beats).HasColumnName("beats");
    }
}

internal static class GeoPointMapping
{
    public static void MapGeoPoint(this ComplexPropertyBuilder<GeoPoint> point, string prefix)
    {
        point.Property(p => p.Latitude).HasColumnName(prefix + "lat");
        point.Property(p => p.Longitude).HasColumnName(prefix + "lng");
    }
}

/// <summary>A fresh random meal code for an elder added without one.</summary>
internal sealed class MealCodeGenerator : Microsoft.EntityFrameworkCore.ValueGeneration.ValueGenerator<string>
{
    public override bool GeneratesTemporaryValues => false;

    public override string Next(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry entry) => MealCode.New();
}

internal sealed class WeChatBindCodeConfiguration : IEntityTypeConfiguration<WeChatBindCode>
{
    public void Configure(EntityTypeBuilder<WeChatBindCode> e)
    {
        e.Property(x => x.CodeHash).HasMaxLength(64);
        e.HasIndex(x => x.CodeHash).IsUnique();
        e.HasOne<StaffAccount>().WithMany().HasForeignKey(x => x.StaffAccountId).OnDelete(DeleteBehavior.Cascade);
    }
}
