using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>A reminder call nobody answered waits in the hotline's queue for its next try: how many tries, and from when.</summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261130050000_CallRetries")]
public sealed class CallRetries : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.AddColumn<int>("tries", "deliveries", nullable: false, defaultValue: 0);
        mb.AddColumn<DateTime>("not_before", "deliveries", nullable: true);
    }
}
