using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Eldercare.Tests.Support;

/// <summary>
/// The real API in-process, on its own SQLite file (or a PostgreSQL database) and its own Redis key prefix,
/// so tests can run side by side without seeing each other's data.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public ApiFactory(TestDatabase? database = null, IDictionary<string, string?>? settings = null)
    {
        Database = database ?? TestDatabase.NewSqlite();
        _settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = Database.Provider,
            ["Database:ConnectionString"] = Database.ConnectionString,
            ["Redis:Configuration"] = TestServers.Redis,
            ["Redis:KeyPrefix"] = $"test-{Guid.NewGuid():N}:",
            ["PersonalData:IdNumberKey"] = IdNumberKey,
            ["DemoData:LoadOnStart"] = "false",
            ["DemoData:StaffPassword"] = DemoPassword,
            // Keep the test output readable: the console shows only warnings and errors (other log providers see everything).
            ["Logging:Console:LogLevel:Default"] = "Warning",
            // EF logs a failed probe for its history table on every new database; expected, and noise here.
            ["Logging:Console:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "None",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) _settings[key] = value;
    }

    public const string DemoPassword = "Test-demo-2026";

    /// <summary>The hotline service's key in tests that log the hotline in (the API's Services:HotlineKey).</summary>
    public const string HotlineKey = "hotline-key-for-tests-0123456789abcdef";

    /// <summary>One key per test run, like a real deployment's key from the environment.</summary>
    public static readonly string IdNumberKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public TestDatabase Database { get; }

    public string Setting(string key) => _settings[key]!;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }
}

/// <summary>An API on its own fresh SQLite database, shared by the tests of one class (xunit needs a parameterless constructor).</summary>
public sealed class SharedApi() : ApiFactory(null, null);

/// <summary>The same on a fresh PostgreSQL database, dropped when the class is done.</summary>
public sealed class SharedPostgresApi() : ApiFactory(TestDatabase.NewPostgres(), null)
{
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Database.Dispose();
    }
}
