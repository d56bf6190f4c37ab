using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>Staff log in to the console with a password; five wrong ones in a row lock the account for a while.</summary>
public sealed class StaffLoginTests
{
    private const string Password = "Zhan-zhang-2026";

    private static Task<HttpResponseMessage> LogInAsync(HttpClient client, string username, string password) =>
        client.PostAsJsonAsync("/api/auth/staff", new { username, password });

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_clerk_logs_in_acts_as_their_station_and_logs_out(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var clerk = await s.AddStaffAccountAsync(StaffRole.Clerk, s.Station1.Id, Password);
        var client = factory.CreateClient();

        var response = await LogInAsync(client, clerk.Username, Password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var login = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Clerk", login.GetProperty("role").GetString());
        Assert.Equal("Clerk老师", login.GetProperty("displayName").GetString());
        Assert.DoesNotContain("passwordHash", login.GetRawText(), StringComparison.OrdinalIgnoreCase);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        var me = await client.GetFromJsonAsync<JsonElement>("/api/session");
        Assert.Equal(clerk.Id, me.GetProperty("id").GetInt32());
        Assert.Equal("window", me.GetProperty("channel").GetString());
        Assert.Equal(s.Station1.Id, me.GetProperty("stationId").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/session")).StatusCode);
        await HttpAssert.ProblemAsync(await client.GetAsync("/api/session"), 401, "unauthenticated");
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one_until_the_lock_runs_out(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database, new Dictionary<string, string?> { ["StaffLogin:LockoutPeriod"] = "00:00:03" });
        var s = await CreateAsync(factory);
        var manager = await s.AddStaffAccountAsync(StaffRole.StationManager, s.Station1.Id, Password);
        var client = factory.CreateClient();

        for (var i = 1; i <= 4; i++)
            await HttpAssert.ProblemAsync(await LogInAsync(client, manager.Username, "wrong-" + i), 401, "wrong-credentials");
        var fifth = await HttpAssert.ProblemAsync(await LogInAsync(client, manager.Username, "wrong-5"), 423, "account-locked");
        Assert.True(fifth.GetProperty("lockedUntil").GetDateTime() > DateTime.UtcNow);
        await HttpAssert.ProblemAsync(await LogInAsync(client, manager.Username, Password), 423, "account-locked");

        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.Equal(HttpStatusCode.OK, (await LogInAsync(client, manager.Username, Password)).StatusCode);
        // The right password started the count again: four more wrong ones do not lock.
        for (var i = 1; i <= 4; i++)
            await HttpAssert.ProblemAsync(await LogInAsync(client, manager.Username, "again-" + i), 401, "wrong-credentials");
        Assert.Equal(HttpStatusCode.OK, (await LogInAsync(client, manager.Username, Password)).StatusCode);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Twenty_guesses_at_once_are_no_better_than_five(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var officer = await s.AddStaffAccountAsync(StaffRole.Officer, null, Password);
        var client = factory.CreateClient();

        var responses = await AllAtOnceAsync(20, i => LogInAsync(client, officer.Username, "guess-" + i));

        // Only five tries were ever taken: four told "wrong", the fifth locks, the other fifteen found it locked.
        Assert.Equal(4, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(16, responses.Count(r => r.StatusCode == (HttpStatusCode)423));
        var locked = await HttpAssert.ProblemAsync(await LogInAsync(client, officer.Username, Password), 423, "account-locked");
        Assert.True(locked.GetProperty("lockedUntil").GetDateTime().ToUniversalTime() > DateTime.UtcNow.AddMinutes(14));
    }

    [Fact]
    public async Task Unknown_names_and_bad_bodies_get_clear_refusals_that_reveal_nothing()
    {
        using var factory = new ApiFactory();
        var s = await CreateAsync(factory);
        var clerk = await s.AddStaffAccountAsync(StaffRole.Clerk, s.Station1.Id, Password);
        var client = factory.CreateClient();

        var unknown = await HttpAssert.ProblemAsync(await LogInAsync(client, "nobody-" + s.Tag, Password), 401, "wrong-credentials");
        var wrong = await HttpAssert.ProblemAsync(await LogInAsync(client, clerk.Username, "nope"), 401, "wrong-credentials");
        Assert.Equal(unknown.GetProperty("title").GetString(), wrong.GetProperty("title").GetString());
        await HttpAssert.ProblemAsync(await LogInAsync(client, clerk.Username, ""), 400, "validation-failed");
        await HttpAssert.ProblemAsync(await LogInAsync(client, new string('a', 65), Password), 400, "validation-failed");
        await HttpAssert.ProblemAsync(await client.PostAsync("/api/auth/staff", new StringContent("{\"username\":", System.Text.Encoding.UTF8, "application/json")), 400, "malformed-request");
        // None of that counted against the clerk beyond the one wrong password: three more are "wrong", the fourth locks.
        for (var i = 0; i < 3; i++) await HttpAssert.ProblemAsync(await LogInAsync(client, clerk.Username, "nope"), 401, "wrong-credentials");
        await HttpAssert.ProblemAsync(await LogInAsync(client, clerk.Username, "nope"), 423, "account-locked");
        // A name that does not exist is answered exactly the same way, lock and all: nobody learns which names exist.
        var nobody = "nobody-else-" + s.Tag;
        var answers = new List<string>();
        for (var i = 0; i < 6; i++) answers.Add((await HttpAssert.ProblemAsync(await LogInAsync(client, nobody, "nope"), i < 4 ? 401 : 423, i < 4 ? "wrong-credentials" : "account-locked")).GetProperty("type").GetString()!);
        Assert.Equal(["wrong-credentials", "wrong-credentials", "wrong-credentials", "wrong-credentials", "account-locked", "account-locked"], answers);
    }
}

/// <summary>Logins from several addresses against a real API process (the address is what the throttle counts by).</summary>
public sealed class StaffLoginThrottleTests
{
    private const string Password = "Zhan-zhang-2026";

    /// <summary>A client whose connections come from the given loopback address (127.0.0.0/8 is all this machine's).</summary>
    private static HttpClient From(string baseUrl, string address) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(20) };

    private static Task<HttpResponseMessage> LogInAsync(HttpClient client, string username, string password) =>
        client.PostAsJsonAsync("/api/auth/staff", new { username, password });

    [Fact]
    public async Task A_guesser_locks_only_their_own_address_ever_longer_and_guessing_from_many_addresses_needs_a_manager_to_unlock()
    {
        using var database = TestDatabase.NewSqlite();
        var environment = ApiProcess.EnvironmentFor(database);
        environment["StaffLogin__LockoutPeriod"] = "00:00:02";
        environment["StaffLogin__MaxFailuresPerAccount"] = "12";
        var load = await ApiProcess.RunToEndAsync(environment, "demo-data", "load");
        Assert.True(load.ExitCode == 0, load.Output);
        using var api = ApiProcess.Start(environment);
        Assert.True(await api.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)), api.Output);
        using var window = From(api.BaseUrl, "127.0.0.1");
        using var guesser = From(api.BaseUrl, "127.0.0.2");
        const string clerk = "clerk1";

        // Five wrong passwords from the guesser's machine lock clerk1 there, even with the right password...
        for (var i = 0; i < 4; i++) await HttpAssert.ProblemAsync(await LogInAsync(guesser, clerk, "guess-" + i), 401, "wrong-credentials");
        var first = await HttpAssert.ProblemAsync(await LogInAsync(guesser, clerk, "guess-4"), 423, "account-locked");
        var firstLock = first.GetProperty("lockedUntil").GetDateTime().ToUniversalTime() - DateTime.UtcNow;
        Assert.InRange(firstLock.TotalSeconds, 1, 2.5);
        await HttpAssert.ProblemAsync(await LogInAsync(guesser, clerk, ApiFactory.DemoPassword), 423, "account-locked");
        // ...and not at the window, where the clerk logs in as usual.
        Assert.Equal(HttpStatusCode.OK, (await LogInAsync(window, clerk, ApiFactory.DemoPassword)).StatusCode);

        // The next lockout from the same address lasts twice as long.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        for (var i = 0; i < 4; i++) await HttpAssert.ProblemAsync(await LogInAsync(guesser, clerk, "again-" + i), 401, "wrong-credentials");
        var second = await HttpAssert.ProblemAsync(await LogInAsync(guesser, clerk, "again-4"), 423, "account-locked");
        var secondLock = second.GetProperty("lockedUntil").GetDateTime().ToUniversalTime() - DateTime.UtcNow;
        Assert.InRange(secondLock.TotalSeconds, 3, 4.5);

        // Guessing spread over more addresses (12 wrong passwords for the name within the hour) locks it everywhere...
        using var third = From(api.BaseUrl, "127.0.0.3");
        await HttpAssert.ProblemAsync(await LogInAsync(third, clerk, "spread-1"), 401, "wrong-credentials");
        await HttpAssert.ProblemAsync(await LogInAsync(third, clerk, "spread-2"), 423, "account-locked"); // the twelfth
        await HttpAssert.ProblemAsync(await LogInAsync(window, clerk, ApiFactory.DemoPassword), 423, "account-locked");
        // ...until the station's manager unlocks it; then the clerk is in again.
        var manager = await JsonAsync(await LogInAsync(window, "manager1", ApiFactory.DemoPassword));
        window.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", manager.GetProperty("token").GetString());
        int clerkId;
        await using (var db = database.Open()) clerkId = await db.StaffAccounts.Where(a => a.Username == clerk).Select(a => a.Id).SingleAsync();
        int otherStationsClerk;
        await using (var db = database.Open()) otherStationsClerk = await db.StaffAccounts.Where(a => a.Username == "clerk2").Select(a => a.Id).SingleAsync();
        await HttpAssert.ProblemAsync(await window.PostAsync($"/api/staff-accounts/{otherStationsClerk}/unlock", null), 403, "forbidden");
        Assert.Equal(HttpStatusCode.NoContent, (await window.PostAsync($"/api/staff-accounts/{clerkId}/unlock", null)).StatusCode);
        window.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(HttpStatusCode.OK, (await LogInAsync(window, clerk, ApiFactory.DemoPassword)).StatusCode);
    }

    [Fact]
    public async Task One_address_spraying_many_names_is_turned_away_without_locking_those_names_for_others()
    {
        using var database = TestDatabase.NewSqlite();
        var environment = ApiProcess.EnvironmentFor(database);
        environment["StaffLogin__MaxFailuresPerSource"] = "6";
        var load = await ApiProcess.RunToEndAsync(environment, "demo-data", "load");
        Assert.True(load.ExitCode == 0, load.Output);
        using var api = ApiProcess.Start(environment);
        Assert.True(await api.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)), api.Output);
        using var sprayer = From(api.BaseUrl, "127.0.0.4");
        using var window = From(api.BaseUrl, "127.0.0.1");

        var names = new[] { "clerk1", "clerk2", "clerk3", "manager1", "manager2", "officer1" };
        foreach (var name in names) await HttpAssert.ProblemAsync(await LogInAsync(sprayer, name, "Password1"), 401, "wrong-credentials");
        var turnedAway = await HttpAssert.ProblemAsync(await LogInAsync(sprayer, "manager3", "Password1"), 429, "too-many-login-attempts");
        Assert.True(turnedAway.GetProperty("retryAfterSeconds").GetInt32() > 0);
        foreach (var name in names) Assert.Equal(HttpStatusCode.OK, (await LogInAsync(window, name, ApiFactory.DemoPassword)).StatusCode);
    }
}
