using Eldercare.Api.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Eldercare.Api.Data;

internal sealed class VisitConfiguration : IEntityTypeConfiguration<Visit>
{
    public void Configure(EntityTypeBuilder<Visit> e)
    {
        e.Property(x => x.ServiceName).HasMaxLength(100);
        e.Property(x => x.ChecklistDone).HasMaxLength(500);
        e.Property(x => x.Note).HasMaxLength(500);
        e.Property(x => x.NewNeed).HasMaxLength(500);
        e.Property(x => x.ReviewReasons).HasMaxLength(500);
        e.Property(x => x.ResolutionReason).HasMaxLength(32);
        e.Property(x => x.Resolution).HasMaxLength(32);
        e.Property(x => x.ResolutionNote).HasMaxLength(500);
        e.Property(x => x.PatrolMood).HasMaxLength(16);
        e.Property(x => x.IntegrityHash).HasMaxLength(64);
        e.Property(x => x.MealCodeScanned).HasDefaultValue(false);
        e.Property(x => x.UnlockReason).HasMaxLength(200);
        e.HasIndex(x => x.PatrolId).IsUnique(); // a patrol is done by one visit
        e.HasOne<Patrol>().WithMany().HasForeignKey(x => x.PatrolId).OnDelete(DeleteBehavior.Restrict);
        e.ComplexProperty(x => x.ClockIn, f => MapFix(f, "in_"));
        e.ComplexProperty(x => x.ClockOut, f => MapFix(f, "out_"));
        e.Ignore(x => x.Reasons);
        // One visit per booking: a clock-in sent twice, or by two phones at once, records one visit.
        e.HasIndex(x => x.BookingId).IsUnique();
        e.HasIndex(x => new { x.CaregiverId, x.Date });
        e.HasIndex(x => new { x.StationId, x.Status });
        e.HasIndex(x => new { x.ElderId, x.Date });
        e.HasOne<Booking>().WithMany().HasForeignKey(x => x.BookingId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Caregiver>().WithMany().HasForeignKey(x => x.CaregiverId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Station>().WithMany().HasForeignKey(x => x.StationId).OnDelete(DeleteBehavior.Restrict);
    }

    private static void MapFix<T>(ComplexPropertyBuilder<T> f, string prefix) where T : VisitFix
    {
        f.Property(x => x.Latitude).HasColumnName(prefix + "latitude");
        f.Property(x => x.Longitude).HasColumnName(prefix + "longitude");
        f.Property(x => x.AccuracyMeters).HasColumnName(prefix + "accuracy_meters");
        f.Property(x => x.PhotoId).HasColumnName(prefix + "photo_id");
        f.Property(x => x.CapturedAt).HasColumnName(prefix + "captured_at");
        f.Property(x => x.SentAt).HasColumnName(prefix + "sent_at");
        f.Property(x => x.ArrivedAt).HasColumnName(prefix + "arrived_at");
    }
}

internal sealed class PatrolConfiguration : IEntityTypeConfiguration<Patrol>
{
    public void Configure(EntityTypeBuilder<Patrol> e)
    {
        e.HasIndex(x => new { x.StationId, x.DueBy });
        e.HasIndex(x => new { x.CaregiverId, x.DueBy });
        // One open patrol per elder: the schedule running twice at once (two nodes) makes one.
        e.HasIndex(x => x.ElderId).IsUnique().HasFilter("visit_id IS NULL").HasDatabaseName("ux_patrols_open_per_elder");
        e.HasOne<Elder>().WithMany().HasForeignKey(x => x.ElderId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Station>().WithMany().HasForeignKey(x => x.StationId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Caregiver>().WithMany().HasForeignKey(x => x.CaregiverId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class VisitRevisionConfiguration : IEntityTypeConfiguration<VisitRevision>
{
    public void Configure(EntityTypeBuilder<VisitRevision> e)
    {
        e.Property(x => x.BeforeHash).HasMaxLength(64);
        e.Property(x => x.ChangedBy).HasMaxLength(32);
        e.Property(x => x.Why).HasMaxLength(500);
        e.HasIndex(x => new { x.VisitId, x.Number }).IsUnique();
        e.HasOne<Visit>().WithMany().HasForeignKey(x => x.VisitId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class VisitConfirmationConfiguration : IEntityTypeConfiguration<VisitConfirmation>
{
    public void Configure(EntityTypeBuilder<VisitConfirmation> e)
    {
        e.Property(x => x.By).HasMaxLength(32);
        e.HasIndex(x => new { x.VisitId, x.At });
        e.HasOne<Visit>().WithMany().HasForeignKey(x => x.VisitId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class VisitPhotoConfiguration : IEntityTypeConfiguration<VisitPhoto>
{
    public void Configure(EntityTypeBuilder<VisitPhoto> e)
    {
        e.Property(x => x.Sha256).HasMaxLength(64);
        e.Property(x => x.ContentType).HasMaxLength(32);
        e.HasIndex(x => x.Sha256).IsUnique(); // stored once by content: the same photo sent again is the same photo
        e.HasIndex(x => x.StationId);
        e.HasOne<Station>().WithMany().HasForeignKey(x => x.StationId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<StaffAccount>().WithMany().HasForeignKey(x => x.UploadedByStaffId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class VisitPhotoReadConfiguration : IEntityTypeConfiguration<VisitPhotoRead>
{
    public void Configure(EntityTypeBuilder<VisitPhotoRead> e)
    {
        e.Property(x => x.Reader).HasMaxLength(64);
        e.HasIndex(x => new { x.PhotoId, x.ReadAt });
        e.HasOne<VisitPhoto>().WithMany().HasForeignKey(x => x.PhotoId).OnDelete(DeleteBehavior.Cascade);
    }
}
