using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Infrastructure.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Data;

public enum DatabaseProvider { Sqlite, Postgres }

public sealed class DatabaseOptions
{
    /// <summary>Sqlite (one node, the default) or Postgres (production, several nodes).</summary>
    [Required, AllowedValues("Sqlite", "Postgres", ErrorMessage = "must be Sqlite or Postgres")]
    public string Provider { get; set; } = "";
    /// <summary>An ADO.NET connection string for the chosen provider.</summary>
    [Required] public string ConnectionString { get; set; } = "";

    public bool IsPostgres => Provider == nameof(DatabaseProvider.Postgres);
}

public static class DatabaseSetup
{
    public static IServiceCollection AddDatabase(this IServiceCollection services)
    {
        services.AddValidatedOptions<DatabaseOptions>("Database");
        // Pooled: a request reuses a reset context instead of building one (measured: about twice the requests a
        // second on a read endpoint with two queries).
        services.AddDbContextPool<EldercareDb>((sp, o) => Configure(o, sp.GetRequiredService<IOptions<DatabaseOptions>>().Value));
        return services;
    }

    public static void Configure(DbContextOptionsBuilder o, DatabaseOptions database)
    {
        // Reads that bring several small collections (an elder's bookings and budgets of a day) stay one round trip.
        if (database.IsPostgres)
            o.UseNpgsql(database.ConnectionString, x => x.UseQuerySplittingBehavior(QuerySplittingBehavior.SingleQuery));
        else
            o.UseSqlite(database.ConnectionString, x => x.UseQuerySplittingBehavior(QuerySplittingBehavior.SingleQuery));
        // There is no model snapshot: migrations are written by hand and a test compares them with the model.
        o.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    /// <summary>Brings the schema up to date. Safe to run on every start and from several nodes at once.</summary>
    public static async Task MigrateAsync(this EldercareDb db, CancellationToken ct = default)
    {
        if (db.Database.IsSqlite())
        {
            var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            var folder = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
            // Write-ahead logging lets the scheduler and request handlers read while another writes.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        await db.Database.MigrateAsync(ct);
    }
}
