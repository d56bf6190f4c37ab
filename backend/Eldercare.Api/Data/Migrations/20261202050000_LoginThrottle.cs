using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>
/// Wrong passwords are counted per name and address in Redis (LoginThrottle), no longer on the account, where anyone
/// could keep any account locked.
/// </summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261202050000_LoginThrottle")]
public sealed class LoginThrottle : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        // Plain SQL: both databases drop a column this way (SQLite since 3.35).
        mb.Sql("ALTER TABLE staff_accounts DROP COLUMN failed_logins");
        mb.Sql("ALTER TABLE staff_accounts DROP COLUMN locked_until");
    }
}
