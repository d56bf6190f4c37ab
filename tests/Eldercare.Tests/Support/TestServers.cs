namespace Eldercare.Tests.Support;

/// <summary>
/// The real Redis and PostgreSQL servers that `./eldercare.sh test` starts on loopback for the test run.
/// Tests never skip when they are missing: they fail and say how to run them.
/// </summary>
public static class TestServers
{
    public static string Redis => Required("ELDERCARE_TEST_REDIS");

    /// <summary>Connection string of a superuser on the maintenance database; tests create their own databases.</summary>
    public static string PostgresAdmin => Required("ELDERCARE_TEST_POSTGRES");

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{variable} is not set: run the tests with `./eldercare.sh test`, which starts Redis and PostgreSQL for them.");
}
