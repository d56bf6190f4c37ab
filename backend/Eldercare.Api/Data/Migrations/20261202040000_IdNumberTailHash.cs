using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>
/// The ID number's last four characters are no longer kept in plain text: beside the birth date and the district's code
/// they rebuilt the whole number. A keyed hash takes their place; the hub fills it in from the encrypted number at its
/// next start (the key is not the database's to know).
/// </summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261202040000_IdNumberTailHash")]
public sealed class IdNumberTailHash : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.AddColumn<string>("id_number_tail_hash", "elders", maxLength: 64, nullable: false, defaultValue: "");
        // Plain SQL: both databases drop a column this way (SQLite since 3.35), where EF would rebuild the table for SQLite.
        mb.Sql("ALTER TABLE elders DROP COLUMN id_number_last4");
    }
}
