using System.Data.Common;
using Dapper;
using Eldercare.Api.Data;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Tests;

/// <summary>
/// The migrations are written by hand, so this is what catches a forgotten or wrong one: the schema they
/// build must equal the schema EF would create from the model, column by column, index by index, key by key.
/// </summary>
public sealed class SchemaTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Migrations_build_exactly_the_schema_of_the_model(string provider)
    {
        using var migrated = TestDatabase.New(provider);
        using var created = TestDatabase.New(provider);
        await using (var db = migrated.Open()) await db.MigrateAsync();
        await using (var db = created.Open()) await db.Database.EnsureCreatedAsync();

        var fromMigrations = await DescribeAsync(migrated);
        var fromModel = await DescribeAsync(created);

        Assert.NotEmpty(fromModel);
        Assert.Equal(fromModel.Except(fromMigrations).ToList(), new List<string>()); // in the model, missing from the migrations
        Assert.Equal(fromMigrations.Except(fromModel).ToList(), new List<string>()); // in the migrations, not in the model
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Migrating_twice_changes_nothing(string provider)
    {
        using var database = TestDatabase.New(provider);
        await using (var db = database.Open()) await db.MigrateAsync();
        var before = await DescribeAsync(database);
        await using (var db = database.Open()) await db.MigrateAsync();
        Assert.Equal(before, await DescribeAsync(database));
    }


    private static async Task<List<string>> DescribeAsync(TestDatabase database)
    {
        await using var db = database.Open();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var lines = database.IsPostgres ? await DescribePostgresAsync(connection) : await DescribeSqliteAsync(connection);
        return lines.Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<IEnumerable<string>> DescribeSqliteAsync(DbConnection c)
    {
        var lines = new List<string>();
        var tables = await c.QueryAsync<(string Name, string Sql)>(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__EFMigrations%'");
        foreach (var (table, sql) in tables)
        {
            lines.Add($"table {table} autoincrement={sql.Contains("AUTOINCREMENT", StringComparison.OrdinalIgnoreCase)}");
            foreach (var col in await c.QueryAsync($"SELECT name, type, \"notnull\" AS nn, dflt_value AS dflt, pk FROM pragma_table_info('{table}')"))
                lines.Add($"column {table}.{col.name} {col.type} notnull={col.nn} default={col.dflt} pk={col.pk}");
            foreach (var ix in await c.QueryAsync($"SELECT name, \"unique\" AS uq, origin FROM pragma_index_list('{table}')"))
            {
                var columns = await c.QueryAsync<string>($"SELECT name FROM pragma_index_info('{ix.name}') ORDER BY seqno");
                lines.Add($"index {table}.{(ix.origin == "pk" ? "(pk)" : ix.name)} unique={ix.uq} ({string.Join(",", columns)})");
            }
            foreach (var fk in await c.QueryAsync($"SELECT \"table\" AS target, \"from\" AS source, \"to\" AS dest, on_delete FROM pragma_foreign_key_list('{table}')"))
                lines.Add($"fk {table}.{fk.source} -> {fk.target}.{fk.dest} on delete {fk.on_delete}");
        }
        return lines;
    }

    private static async Task<IEnumerable<string>> DescribePostgresAsync(DbConnection c)
    {
        var lines = new List<string>();
        const string userTables = "table_schema = 'public' AND table_name NOT LIKE '%EFMigrations%' AND table_name NOT LIKE 'qrtz%'";
        foreach (var t in await c.QueryAsync<string>($"SELECT table_name FROM information_schema.tables WHERE {userTables}"))
            lines.Add($"table {t}");
        foreach (var col in await c.QueryAsync($@"SELECT table_name, column_name, data_type, character_maximum_length AS len, is_nullable, column_default,
                is_identity, identity_generation FROM information_schema.columns WHERE {userTables}"))
            lines.Add($"column {col.table_name}.{col.column_name} {col.data_type}({col.len}) nullable={col.is_nullable} default={col.column_default} identity={col.is_identity}/{col.identity_generation}");
        foreach (var ix in await c.QueryAsync(@"SELECT tablename, indexname, indexdef FROM pg_indexes
                WHERE schemaname = 'public' AND tablename NOT LIKE '%EFMigrations%' AND tablename NOT LIKE 'qrtz%'"))
            lines.Add($"index {ix.tablename}.{ix.indexname} {ix.indexdef}");
        foreach (var con in await c.QueryAsync(@"SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE '%EFMigrations%' AND conrelid::regclass::text NOT LIKE 'qrtz%'"))
            lines.Add($"constraint {con.tbl}.{con.conname} {con.def}");
        return lines;
    }
}
