using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Data;
using Eldercare.Api.Infrastructure.PersonalData;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Eldercare.Tests;

/// <summary>The API as its users start it: a real process, configured by environment variables.</summary>
public sealed class ProcessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Wrong_or_missing_settings_stop_the_api_with_a_message_naming_each_key()
    {
        using var database = TestDatabase.NewSqlite();
        var environment = ApiProcess.EnvironmentFor(database);
        environment["Database__Provider"] = "MySql";
        environment["PersonalData__IdNumberKey"] = "";
        environment["Sessions__IdleTimeout"] = "00:00:00";

        var (exitCode, text) = await ApiProcess.RunToEndAsync(environment);

        Assert.Equal(1, exitCode);
        Assert.Contains("Database:Provider: must be Sqlite or Postgres", text);
        Assert.Contains("PersonalData:IdNumberKey", text);
        Assert.Contains("Sessions:IdleTimeout", text);
        Assert.False(File.Exists(database.ConnectionString["Data Source=".Length..]), "nothing may be written with a bad configuration");
    }

    [Fact]
    public async Task The_api_starts_with_the_demo_street_and_a_second_start_reuses_the_data()
    {
        using var database = TestDatabase.NewSqlite();
        var environment = ApiProcess.EnvironmentFor(database, "Development");
        environment.Remove("DemoData__StaffPassword"); // Development's own settings provide it

        for (var start = 1; start <= 2; start++)
        {
            var clock = Stopwatch.StartNew();
            using var api = ApiProcess.Start(environment);
            Assert.True(await api.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)), "not ready within 60 s:\n" + api.Output);
            output.WriteLine($"start {start}: ready after {clock.Elapsed.TotalSeconds:0.0} s");

            await using var db = database.Open();
            Assert.Equal(1, await db.Streets.CountAsync());
            Assert.Equal(300, await db.Elders.CountAsync());
        }
    }

    [Fact]
    public async Task A_demo_clerk_token_books_a_lunch_from_the_demo_catalogue()
    {
        using var database = TestDatabase.NewSqlite();
        var environment = ApiProcess.EnvironmentFor(database, "Development");
        using var api = ApiProcess.Start(environment);
        using var http = new HttpClient { BaseAddress = new Uri(api.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        for (var i = 0; i < 600 && (await TryGetAsync(http, "/health/ready")) != "Healthy"; i++) await Task.Delay(100);

        var (exitCode, output) = await ApiProcess.RunToEndAsync(environment, "demo-data", "token", "clerk1");
        Assert.True(exitCode == 0, output);
        var token = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var me = await http.GetFromJsonAsync<JsonElement>("/api/session");
        Assert.Equal("Clerk", me.GetProperty("role").GetString());

        // An active elder of clerk1's zone books a lunch from the generated slots.
        int elderId;
        await using (var db = database.Open())
            elderId = await (from e in db.Elders join c in db.Communities on e.CommunityId equals c.Id
                             where c.StationId == me.GetProperty("stationId").GetInt32() && e.Status == Eldercare.Api.Domain.ElderStatus.Active
                             orderby e.Id select e.Id).FirstAsync();
        var catalog = await http.GetFromJsonAsync<List<JsonElement>>($"/api/catalog?elderId={elderId}");
        var lunch = catalog!.Single(x => x.GetProperty("code").GetString() == "MEAL-LUNCH");
        var from = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(2);
        var slots = await http.GetFromJsonAsync<List<JsonElement>>($"/api/availability?serviceId={lunch.GetProperty("id").GetInt32()}&elderId={elderId}&from={from:yyyy-MM-dd}&to={from:yyyy-MM-dd}");
        var slot = slots!.First(x => x.GetProperty("bookable").GetBoolean());
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/bookings") { Content = JsonContent.Create(new { elderId, slotId = slot.GetProperty("slotId").GetInt64(), mode = "Delivery" }) };
        request.Headers.Add("Idempotency-Key", "demo-1");
        var booked = await http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Created, booked.StatusCode);
        var booking = await booked.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(lunch.GetProperty("price").GetProperty("payableFen").GetInt64(), booking.GetProperty("price").GetProperty("payableFen").GetInt64());

        var refused = await ApiProcess.RunToEndAsync(environment, "demo-data", "token", "nobody");
        Assert.Equal(2, refused.ExitCode);
    }

    private static async Task<string?> TryGetAsync(HttpClient http, string path)
    {
        try { return await http.GetStringAsync(path); } catch (HttpRequestException) { return null; }
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task The_demo_data_reset_command_restores_the_demo_street(string provider)
    {
        using var database = TestDatabase.New(provider);
        var environment = ApiProcess.EnvironmentFor(database);
        var protector = new IdNumberProtector(Options.Create(new PersonalDataOptions { IdNumberKey = ApiFactory.IdNumberKey }));

        var load = await ApiProcess.RunToEndAsync(environment, "demo-data", "load");
        Assert.True(load.ExitCode == 0, load.Output);
        string original;
        await using (var db = database.Open())
        {
            await db.MigrateAsync();
            original = await DemoDigest.OfAsync(db, protector);
            // Someone edits and deletes things while trying the demo.
            await db.Stations.Where(s => s.Code == "XYL-01").ExecuteUpdateAsync(s => s.SetProperty(x => x.Name, "改过的名字"));
            await db.FamilyBindings.Where(b => b.ElderId < 20).ExecuteDeleteAsync();
            await db.Elders.Where(e => e.Id < 20).ExecuteDeleteAsync();
            Assert.NotEqual(original, await DemoDigest.OfAsync(db, protector));
        }

        var again = await ApiProcess.RunToEndAsync(environment, "demo-data", "load");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already loaded", again.Output);

        var reset = await ApiProcess.RunToEndAsync(environment, "demo-data", "reset");
        Assert.True(reset.ExitCode == 0, reset.Output);
        await using (var db = database.Open())
            Assert.Equal(original, await DemoDigest.OfAsync(db, protector));
    }

    [Fact]
    public async Task Demo_data_is_never_loaded_into_production()
    {
        using var database = TestDatabase.NewSqlite();
        var (exitCode, text) = await ApiProcess.RunToEndAsync(ApiProcess.EnvironmentFor(database, "Production"), "demo-data", "reset");
        Assert.Equal(2, exitCode);
        Assert.Contains("never loaded into a Production", text);
    }

}
