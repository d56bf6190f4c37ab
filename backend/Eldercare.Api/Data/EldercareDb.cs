using Eldercare.Api.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Eldercare.Api.Data;

/// <summary>
/// The hub's database: the source of truth. The schema is built only by the hand-written
/// migrations in Migrations/; a test checks that they produce exactly this model on SQLite and PostgreSQL.
/// </summary>
public class EldercareDb : DbContext
{
    public EldercareDb(DbContextOptions<EldercareDb> options) : base(options)
    {
        // Every transaction here is all or nothing: a failed save rolls the whole transaction back. So EF's savepoint
        // around each SaveChanges inside a transaction (two more round trips per save) buys nothing.
        Database.AutoSavepointsEnabled = false;
    }

    public DbSet<Street> Streets => Set<Street>();
    public DbSet<Station> Stations => Set<Station>();
    public DbSet<Community> Communities => Set<Community>();
    public DbSet<Venue> Venues => Set<Venue>();
    public DbSet<ServiceResource> ServiceResources => Set<ServiceResource>();
    public DbSet<Caregiver> Caregivers => Set<Caregiver>();
    public DbSet<Elder> Elders => Set<Elder>();
    public DbSet<EmergencyContact> EmergencyContacts => Set<EmergencyContact>();
    public DbSet<ElderFileRead> ElderFileReads => Set<ElderFileRead>();
    public DbSet<StationDayRead> StationDayReads => Set<StationDayRead>();
    public DbSet<FamilyMember> FamilyMembers => Set<FamilyMember>();
    public DbSet<FamilyBinding> FamilyBindings => Set<FamilyBinding>();
    public DbSet<StaffAccount> StaffAccounts => Set<StaffAccount>();
    public DbSet<SchedulerHeartbeat> SchedulerHeartbeats => Set<SchedulerHeartbeat>();
    public DbSet<CatalogItem> CatalogItems => Set<CatalogItem>();
    public DbSet<CatalogItemVersion> CatalogItemVersions => Set<CatalogItemVersion>();
    public DbSet<SubsidyRule> SubsidyRules => Set<SubsidyRule>();
    public DbSet<SubsidyBudget> SubsidyBudgets => Set<SubsidyBudget>();
    public DbSet<SubsidyLedgerEntry> SubsidyLedger => Set<SubsidyLedgerEntry>();
    public DbSet<SlotTemplate> SlotTemplates => Set<SlotTemplate>();
    public DbSet<Slot> Slots => Set<Slot>();
    public DbSet<Closure> Closures => Set<Closure>();
    public DbSet<Booking> Bookings => Set<Booking>();
    public DbSet<BookingEvent> BookingEvents => Set<BookingEvent>();
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<ReconciliationFinding> ReconciliationFindings => Set<ReconciliationFinding>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<WaitlistEntry> WaitlistEntries => Set<WaitlistEntry>();
    public DbSet<MealPlan> MealPlans => Set<MealPlan>();
    public DbSet<Reminder> Reminders => Set<Reminder>();
    public DbSet<Delivery> Deliveries => Set<Delivery>();
    public DbSet<SubsidySummary> SubsidySummaries => Set<SubsidySummary>();
    public DbSet<EmergencyCase> EmergencyCases => Set<EmergencyCase>();
    public DbSet<CallRecord> CallRecords => Set<CallRecord>();
    public DbSet<HelpRequest> HelpRequests => Set<HelpRequest>();
    public DbSet<Visit> Visits => Set<Visit>();
    public DbSet<VisitRevision> VisitRevisions => Set<VisitRevision>();
    public DbSet<Patrol> Patrols => Set<Patrol>();
    public DbSet<VisitConfirmation> VisitConfirmations => Set<VisitConfirmation>();
    public DbSet<WeChatBindCode> WeChatBindCodes => Set<WeChatBindCode>();
    public DbSet<VisitPhoto> VisitPhotos => Set<VisitPhoto>();
    public DbSet<VisitPhotoRead> VisitPhotoReads => Set<VisitPhotoRead>();

    protected override void ConfigureConventions(ModelConfigurationBuilder conventions)
    {
        // Instants are stored in UTC; SQLite hands DateTime back without a Kind, so stamp it on the way out.
        conventions.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        conventions.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
        // Enums are stored by name so the data reads plainly and survives reordering.
        conventions.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.ApplyConfigurationsFromAssembly(typeof(EldercareDb).Assembly);
        foreach (var entity in model.Model.GetEntityTypes())
        {
            // Names not set by a configuration (still PascalCase) follow the schema's snake_case convention.
            entity.SetTableName(SnakeCase(entity.GetTableName()!));
            foreach (var property in entity.GetProperties().Where(p => p.DeclaringType == entity))
                property.SetColumnName(SnakeCase(property.GetColumnName()));
            entity.FindPrimaryKey()?.SetName("pk_" + entity.GetTableName());
        }
    }

    internal static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 && name[i - 1] != '_' && !char.IsUpper(name[i - 1]) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        toStore => toStore.Kind == DateTimeKind.Utc ? toStore : toStore.ToUniversalTime(),
        fromStore => DateTime.SpecifyKind(fromStore, DateTimeKind.Utc));
}

/// <summary>The last time each scheduler node ran its heartbeat job: proof that timed duties are running.</summary>
public class SchedulerHeartbeat
{
    public required string InstanceId { get; set; }
    public DateTime LastBeatAt { get; set; }
    public required string LastTrigger { get; set; }
    public long Beats { get; set; }
}
