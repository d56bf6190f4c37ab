using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>Caregivers bind their WeChat to their staff account with a one-time code a station manager shows them.</summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261203030000_CaregiverWeChat")]
public sealed class CaregiverWeChat : Migration
{
    protected override void Up(MigrationBuilder mb)
    {
        mb.AddColumn<string>("wechat_open_id", "staff_accounts", maxLength: 128, nullable: true);
        mb.CreateIndex("ux_staff_accounts_wechat_open_id", "staff_accounts", "wechat_open_id", unique: true);

        mb.CreateTable("we_chat_bind_codes", t => new
        {
            id = t.IdentityColumn<long>(),
            code_hash = t.Column<string>(maxLength: 64),
            staff_account_id = t.Column<int>(),
            issued_by_staff_id = t.Column<int>(),
            issued_at = t.Column<DateTime>(),
            expires_at = t.Column<DateTime>(),
            used_at = t.Column<DateTime>(nullable: true),
        }, constraints: t =>
        {
            t.PrimaryKey("pk_we_chat_bind_codes", x => x.id);
            t.ForeignKey("FK_we_chat_bind_codes_staff_accounts_staff_account_id", x => x.staff_account_id, "staff_accounts", "id", onDelete: ReferentialAction.Cascade);
        });
        mb.CreateIndex("IX_we_chat_bind_codes_code_hash", "we_chat_bind_codes", "code_hash", unique: true);
        mb.CreateIndex("IX_we_chat_bind_codes_staff_account_id", "we_chat_bind_codes", "staff_account_id");
    }
}
