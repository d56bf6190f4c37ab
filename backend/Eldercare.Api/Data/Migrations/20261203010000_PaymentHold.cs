using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>
/// A booking waiting for payment keeps until when it holds its place and whether it is paid at the station's window
/// (WeChat Pay not set up, or the elder's choice). Earlier bookings keep counting their window from when they were made.
/// </summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261203010000_PaymentHold")]
public sealed class PaymentHold : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.AddColumn<DateTime>("pay_by", "bookings", nullable: true);
        mb.AddColumn<bool>("pay_at_window", "bookings", nullable: false, defaultValue: false);
    }
}
