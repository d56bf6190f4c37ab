using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>
/// Refunds owed are closed when they reach the payer (WeChat Pay, or the station handing cash back, and who did);
/// closures settle their bookings in the background and count them as they go.
/// </summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261202010000_RefundsAndClosureProgress")]
public sealed class RefundsAndClosureProgress : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.RenameColumn("sent_at", "payments", "settled_at");
        mb.AddColumn<int>("settled_by_staff_id", "payments", nullable: true);

        mb.AddColumn<int>("bookings_affected", "closures", nullable: false, defaultValue: 0);
        mb.AddColumn<int>("bookings_moved", "closures", nullable: false, defaultValue: 0);
        mb.AddColumn<int>("bookings_cancelled", "closures", nullable: false, defaultValue: 0);
        mb.AddColumn<DateTime>("settled_at", "closures", nullable: true);
        // Closures made before settled their bookings while they were made.
        mb.Sql("UPDATE closures SET settled_at = created_at");
    }
}
