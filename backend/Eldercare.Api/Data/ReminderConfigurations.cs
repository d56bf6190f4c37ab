using Eldercare.Api.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Eldercare.Api.Data;

internal sealed class ReminderConfiguration : IEntityTypeConfiguration<Reminder>
{
    public void Configure(EntityTypeBuilder<Reminder> e)
    {
        e.Property(x => x.Text).HasMaxLength(500);
        e.Property(x => x.ClaimToken).HasMaxLength(100);
        e.Property(x => x.LastError).HasMaxLength(500);
        // The dispatcher's question: which reminders are due (or stuck in an expired claim)?
        e.HasIndex(x => new { x.Status, x.DueAt });
        e.HasIndex(x => x.ClaimToken);
        e.HasIndex(x => x.ElderId);
        e.HasIndex(x => x.BookingId);
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Booking>().WithMany().HasForeignKey(x => x.BookingId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class EmergencyCaseConfiguration : IEntityTypeConfiguration<EmergencyCase>
{
    public void Configure(EntityTypeBuilder<EmergencyCase> e)
    {
        e.Property(x => x.Source).HasMaxLength(20);
        e.Property(x => x.CallId).HasMaxLength(64);
        e.Property(x => x.Note).HasMaxLength(500);
        e.HasIndex(x => new { x.StationId, x.Status });
        e.HasIndex(x => x.ElderId);
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CallRecordConfiguration : IEntityTypeConfiguration<CallRecord>
{
    public void Configure(EntityTypeBuilder<CallRecord> e)
    {
        e.Property(x => x.CallId).HasMaxLength(64);
        e.Property(x => x.Number).HasMaxLength(20);
        e.Property(x => x.Path).HasMaxLength(1000);
        e.Property(x => x.Outcome).HasMaxLength(100);
        e.HasIndex(x => x.CallId).IsUnique();
        e.HasIndex(x => new { x.ElderId, x.StartedAt });
        e.HasIndex(x => x.StartedAt);
    }
}

internal sealed class HelpRequestConfiguration : IEntityTypeConfiguration<HelpRequest>
{
    public void Configure(EntityTypeBuilder<HelpRequest> e)
    {
        e.Property(x => x.CallId).HasMaxLength(64);
        e.HasIndex(x => x.CallId).IsUnique(); // a repeated report of the same call is the same request
        e.HasIndex(x => new { x.ElderId, x.RequestedAt });
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DeliveryConfiguration : IEntityTypeConfiguration<Delivery>
{
    public void Configure(EntityTypeBuilder<Delivery> e)
    {
        e.Property(x => x.Text).HasMaxLength(500);
        e.Property(x => x.FailReason).HasMaxLength(500);
        e.Property(x => x.Tries).HasDefaultValue(0);
        // What makes delivering idempotent: one delivery per reminder, recipient and channel, whoever dispatches.
        e.HasIndex(x => new { x.ReminderId, x.RecipientKind, x.RecipientId, x.Channel }).IsUnique();
        // Each channel's sender asks for its queue.
        e.HasIndex(x => new { x.Channel, x.Status });
        e.HasIndex(x => x.ElderId);
        e.HasOne<Reminder>().WithMany().HasForeignKey(x => x.ReminderId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SubsidySummaryConfiguration : IEntityTypeConfiguration<SubsidySummary>
{
    public void Configure(EntityTypeBuilder<SubsidySummary> e)
    {
        e.Property(x => x.Month).HasMaxLength(7);
        e.HasIndex(x => new { x.StationId, x.Month, x.Line }).IsUnique();
        e.HasOne<Station>().WithMany().HasForeignKey(x => x.StationId).OnDelete(DeleteBehavior.Cascade);
    }
}
