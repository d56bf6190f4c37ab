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

        Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized) <= 4, "at most four guesses may be told 'wrong password'");
        Assert.Equal(20, responses.Count(r => r.StatusCode is HttpStatusCode.Unauthorized or (HttpStatusCode)423));
        var account = await s.WithDbAsync(db => db.StaffAccounts.AsNoTracking().SingleAsync(a => a.Id == officer.Id));
        Assert.Equal(5, account.FailedLogins); // only five tries were ever taken
        Assert.True(account.LockedUntil > DateTime.UtcNow.AddMinutes(14));
        await HttpAssert.ProblemAsync(await LogInAsync(client, officer.Username, Password), 423, "account-locked");
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
        // None of that counted against the clerk beyond the one wrong password.
        Assert.Equal(1, await s.WithDbAsync(db => db.StaffAccounts.Where(a => a.Id == clerk.Id).Select(a => a.FailedLogins).SingleAsync()));
    }
}
