using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>Ratings of completed services, given in the mini-program.</summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261130030000_Ratings")]
public sealed class Ratings : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.AddColumn<int>("rating_score", "bookings", nullable: true);
        mb.AddColumn<string>("rating_comment", "bookings", maxLength: 200, nullable: true);
    }
}
