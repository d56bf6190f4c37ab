using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Eldercare.Api.Data.Migrations;

/// <summary>Refunds of mini-program payments are sent to WeChat Pay by a job; this is when WeChat Pay accepted one.</summary>
[DbContext(typeof(EldercareDb))]
[Migration("20261130020000_WeChatRefunds")]
public sealed class WeChatRefunds : Migration
{
    protected override void Up(MigrationBuilder mb) => mb.AddColumn<DateTime>("sent_at", "payments", nullable: true);
}
