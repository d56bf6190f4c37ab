using Eldercare.Api.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Eldercare.Api.Data;

// Tables and columns of the booking engine take snake_case names from the convention in EldercareDb;
// only keys, indexes and relations are spelled out here. Keep in step with Migrations/.

internal static class CatalogTermsMapping
{
    /// <summary>The columns an item and each of its versions share.</summary>
    public static void MapTerms<T>(this EntityTypeBuilder<T> e) where T : CatalogTerms
    {
        e.Property(x => x.Name).HasMaxLength(100);
        e.Property(x => x.Detail).HasMaxLength(1000);
        e.Property(x => x.Provider).HasMaxLength(100);
        e.Property(x => x.Modes).HasConversion<int>();
        e.Property(x => x.EligibleGroups).HasConversion<int>();
    }
}

internal sealed class CatalogItemConfiguration : IEntityTypeConfiguration<CatalogItem>
{
    public void Configure(EntityTypeBuilder<CatalogItem> e)
    {
        e.MapTerms();
        e.Property(x => x.Code).HasMaxLength(40);
        e.HasIndex(x => x.Code).IsUnique();
    }
}

internal sealed class CatalogItemVersionConfiguration : IEntityTypeConfiguration<CatalogItemVersion>
{
    public void Configure(EntityTypeBuilder<CatalogItemVersion> e)
    {
        e.MapTerms();
        e.Property(x => x.ChangedBy).HasMaxLength(100);
        e.HasIndex(x => new { x.CatalogItemId, x.Version }).IsUnique();
        e.HasOne<CatalogItem>().WithMany().HasForeignKey(x => x.CatalogItemId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SubsidyRuleConfiguration : IEntityTypeConfiguration<SubsidyRule>
{
    public void Configure(EntityTypeBuilder<SubsidyRule> e)
    {
        e.Property(x => x.Name).HasMaxLength(100);
        e.Property(x => x.EligibleGroups).HasConversion<int>();
        e.HasOne<CatalogItem>().WithMany().HasForeignKey(x => x.CatalogItemId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SubsidyBudgetConfiguration : IEntityTypeConfiguration<SubsidyBudget>
{
    public void Configure(EntityTypeBuilder<SubsidyBudget> e)
    {
        e.Property(x => x.Period).HasMaxLength(10);
        e.Property(x => x.UsedFen).IsConcurrencyToken();
        e.HasIndex(x => new { x.ElderId, x.RuleId, x.Period }).IsUnique();
        e.HasIndex(x => x.RuleId);
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<SubsidyRule>().WithMany().HasForeignKey(x => x.RuleId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SubsidyLedgerConfiguration : IEntityTypeConfiguration<SubsidyLedgerEntry>
{
    public void Configure(EntityTypeBuilder<SubsidyLedgerEntry> e)
    {
        e.ToTable("subsidy_ledger");
        e.Property(x => x.Month).HasMaxLength(7);
        e.HasIndex(x => new { x.ElderId, x.Month });
        e.HasIndex(x => x.BookingId);
        e.HasIndex(x => x.RuleId);
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<SubsidyRule>().WithMany().HasForeignKey(x => x.RuleId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Booking>().WithMany().HasForeignKey(x => x.BookingId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SlotTemplateConfiguration : IEntityTypeConfiguration<SlotTemplate>
{
    public void Configure(EntityTypeBuilder<SlotTemplate> e)
    {
        e.HasIndex(x => x.CatalogItemId);
        e.HasIndex(x => x.ResourceId);
        e.HasOne<CatalogItem>().WithMany().HasForeignKey(x => x.CatalogItemId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<ServiceResource>().WithMany().HasForeignKey(x => x.ResourceId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SlotConfiguration : IEntityTypeConfiguration<Slot>
{
    public void Configure(EntityTypeBuilder<Slot> e)
    {
        e.Ignore(x => x.Remaining);
        // One slot per item, resource and start: generating slots from templates twice creates nothing new.
        e.HasIndex(x => new { x.CatalogItemId, x.ResourceId, x.Date, x.Start }).IsUnique();
        e.HasIndex(x => new { x.ResourceId, x.Date });
        e.HasIndex(x => x.TemplateId);
        e.HasOne<CatalogItem>().WithMany().HasForeignKey(x => x.CatalogItemId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<ServiceResource>().WithMany().HasForeignKey(x => x.ResourceId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<SlotTemplate>().WithMany().HasForeignKey(x => x.TemplateId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class ClosureConfiguration : IEntityTypeConfiguration<Closure>
{
    public void Configure(EntityTypeBuilder<Closure> e)
    {
        e.Property(x => x.Reason).HasMaxLength(200);
        e.Property(x => x.BookingsAffected).HasDefaultValue(0);
        e.Property(x => x.BookingsMoved).HasDefaultValue(0);
        e.Property(x => x.BookingsCancelled).HasDefaultValue(0);
        e.HasIndex(x => x.ResourceId);
        e.HasOne<ServiceResource>().WithMany().HasForeignKey(x => x.ResourceId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class BookingConfiguration : IEntityTypeConfiguration<Booking>
{
    public void Configure(EntityTypeBuilder<Booking> e)
    {
        e.Property(x => x.ServiceName).HasMaxLength(100);
        e.Property(x => x.CancelReason).HasMaxLength(200);
        e.Property(x => x.RatingComment).HasMaxLength(200);
        e.Property(x => x.PaidFen).HasDefaultValue(0L);
        e.Property(x => x.PayAtWindow).HasDefaultValue(false);
        e.Property(x => x.Mode).HasConversion<int>();
        e.HasIndex(x => new { x.ElderId, x.Date });
        e.HasIndex(x => new { x.SlotId, x.Status });
        e.HasIndex(x => x.CatalogItemId);
        e.HasIndex(x => new { x.CaregiverId, x.Date });
        e.HasIndex(x => new { x.ResourceId, x.Date });
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Slot>().WithMany().HasForeignKey(x => x.SlotId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<CatalogItem>().WithMany().HasForeignKey(x => x.CatalogItemId).OnDelete(DeleteBehavior.Restrict);
        e.HasMany(x => x.History).WithOne().HasForeignKey(x => x.BookingId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> e)
    {
        e.HasIndex(x => new { x.BookingId, x.Kind }).IsUnique();
        e.HasIndex(x => new { x.StationId, x.At });
        e.HasIndex(x => x.ElderId);
        e.HasOne<Booking>().WithMany().HasForeignKey(x => x.BookingId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class BookingEventConfiguration : IEntityTypeConfiguration<BookingEvent>
{
    public void Configure(EntityTypeBuilder<BookingEvent> e)
    {
        e.Property(x => x.Note).HasMaxLength(200);
        e.HasIndex(x => x.BookingId);
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> e)
    {
        e.Property(x => x.Scope).HasMaxLength(40);
        e.Property(x => x.Key).HasMaxLength(100);
        e.Property(x => x.RequestHash).HasMaxLength(64);
        e.HasIndex(x => new { x.Scope, x.Key }).IsUnique();
        e.HasIndex(x => x.BookingId);
        e.HasOne<Booking>().WithMany().HasForeignKey(x => x.BookingId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WaitlistEntryConfiguration : IEntityTypeConfiguration<WaitlistEntry>
{
    public void Configure(EntityTypeBuilder<WaitlistEntry> e)
    {
        e.Property(x => x.Mode).HasConversion<int>();
        e.Property(x => x.Outcome).HasMaxLength(200);
        e.HasIndex(x => new { x.SlotId, x.Status });
        e.HasIndex(x => x.ElderId);
        e.HasIndex(x => x.BookingId);
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Slot>().WithMany().HasForeignKey(x => x.SlotId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Booking>().WithMany().HasForeignKey(x => x.BookingId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class MealPlanConfiguration : IEntityTypeConfiguration<MealPlan>
{
    public void Configure(EntityTypeBuilder<MealPlan> e)
    {
        e.Property(x => x.Mode).HasConversion<int>();
        e.HasIndex(x => x.ElderId);
        e.HasIndex(x => x.MenuItemId);
        e.HasIndex(x => x.ResourceId);
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<CatalogItem>().WithMany().HasForeignKey(x => x.MenuItemId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<ServiceResource>().WithMany().HasForeignKey(x => x.ResourceId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ReconciliationFindingConfiguration : IEntityTypeConfiguration<ReconciliationFinding>
{
    public void Configure(EntityTypeBuilder<ReconciliationFinding> e)
    {
        e.Property(x => x.Kind).HasMaxLength(40);
        e.Property(x => x.Detail).HasMaxLength(300);
        e.Property(x => x.Note).HasMaxLength(500);
        e.HasIndex(x => new { x.StationId, x.ClosedAt });
    }
}
