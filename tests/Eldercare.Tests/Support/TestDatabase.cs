using Eldercare.Api.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Eldercare.Tests.Support;

/// <summary>A throw-away database: a SQLite file in the temp folder, or a fresh database on the test PostgreSQL server.</summary>
public sealed class TestDatabase : IDisposable
{
    private TestDatabase(string provider, string connectionString, string? postgresName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _postgresName = postgresName;
    }

    private readonly string? _postgresName;

    public string Provider { get; }
    public string ConnectionString { get; }
    public bool IsPostgres => Provider == "Postgres";

    public static TestDatabase NewSqlite()
    {
        var folder = Path.Combine(Path.GetTempPath(), "eldercare-tests");
        Directory.CreateDirectory(folder);
        return new TestDatabase("Sqlite", $"Data Source={Path.Combine(folder, $"{Guid.NewGuid():N}.db")}", null);
    }

    public static TestDatabase NewPostgres()
    {
        var name = $"eldercare_test_{Guid.NewGuid():N}";
        using (var admin = new NpgsqlConnection(TestServers.PostgresAdmin))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            create.ExecuteNonQuery();
        }
        var builder = new NpgsqlConnectionStringBuilder(TestServers.PostgresAdmin) { Database = name };
        return new TestDatabase("Postgres", builder.ConnectionString, name);
    }

    public static TestDatabase New(string provider) => provider == "Postgres" ? NewPostgres() : NewSqlite();

    /// <summary>A DbContext on this database, configured exactly as the API configures its own.</summary>
    public EldercareDb Open()
    {
        var options = new DbContextOptionsBuilder<EldercareDb>();
        DatabaseSetup.Configure(options, new DatabaseOptions { Provider = Provider, ConnectionString = ConnectionString });
        return new EldercareDb(options.Options);
    }

    public void Dispose()
    {
        if (_postgresName is null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var file = ConnectionString["Data Source=".Length..];
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
                try { File.Delete(path); } catch (IOException) { /* still open in a host that is shutting down */ }
            return;
        }
        NpgsqlConnection.ClearAllPools();
        using var admin = new NpgsqlConnection(TestServers.PostgresAdmin);
        admin.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresName} WITH (FORCE)", admin);
        drop.ExecuteNonQuery();
    }
}
