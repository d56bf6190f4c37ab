using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>What the hotline service needs from the API: its own log-in, and caller ID to elder.</summary>
public sealed class HotlineApiTests
{
    private const string Key = ApiFactory.HotlineKey;

    private static ApiFactory Api(TestDatabase database) => new(database, new Dictionary<string, string?> { ["Services:HotlineKey"] = Key });

    [Fact]
    public async Task The_hotline_logs_in_with_its_key_and_acts_through_the_hotline_channel()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = Api(database);
        var client = api.CreateClient();

        await HttpAssert.ProblemAsync(await client.PostAsJsonAsync("/api/auth/service", new { service = "hotline", key = Key + "x" }), 401, "wrong-service-key");
        await HttpAssert.ProblemAsync(await client.PostAsJsonAsync("/api/auth/service", new { service = "dialler", key = Key }), 401, "wrong-service-key");
        await HttpAssert.ProblemAsync(await client.PostAsJsonAsync("/api/auth/service", new { service = "hotline", key = "" }), 400, "validation-failed");
        var login = await JsonAsync(await client.PostAsJsonAsync("/api/auth/service", new { service = "hotline", key = Key }));

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        var session = await client.GetFromJsonAsync<JsonElement>("/api/session");
        Assert.Equal(("Service", "hotline"), (session.GetProperty("kind").GetString(), session.GetProperty("channel").GetString()));
    }

    [Fact]
    public async Task Without_a_configured_key_the_hotline_cannot_log_in()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = new ApiFactory(database);
        await HttpAssert.ProblemAsync(await api.CreateClient().PostAsJsonAsync("/api/auth/service", new { service = "hotline", key = Key }), 401, "wrong-service-key");
    }

    [Fact]
    public async Task A_caller_is_known_by_their_number_and_a_shared_or_withheld_number_needs_the_ID_tail()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = Api(database);
        var s = await CreateAsync(api);
        var alone = await s.AddElderAsync();
        var husband = await s.AddElderAsync();
        var wife = await s.AddElderAsync();
        var gone = await s.AddElderAsync(status: ElderStatus.Deceased);
        await s.WithDbAsync(async db =>
        {
            await db.Elders.Where(e => e.Id == alone.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.Phone, "13911110000"));
            await db.Elders.Where(e => e.Id == husband.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.Phone, "010-62301234").SetProperty(e => e.IdNumberTailHash, TestIds.Protector.TailHash("1234")));
            await db.Elders.Where(e => e.Id == wife.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.SecondPhone, "01062301234").SetProperty(e => e.IdNumberTailHash, TestIds.Protector.TailHash("567X")));
            await db.Elders.Where(e => e.Id == gone.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.Phone, "13922220000"));
        });
        var hotline = await s.HotlineClientAsync();
        async Task<(int? ElderId, int Candidates)> Identify(HttpClient c, string? number, string? last4 = null)
        {
            var answer = await JsonAsync(await c.PostAsJsonAsync("/api/hotline/identify", new { callerNumber = number, idLast4 = last4 }));
            return (answer.GetProperty("elderId").ValueKind == JsonValueKind.Null ? null : answer.GetProperty("elderId").GetInt32(), answer.GetProperty("candidates").GetInt32());
        }

        Assert.Equal((alone.Id, 1), await Identify(hotline, "+8613911110000"));
        Assert.Equal((null, 2), await Identify(hotline, "62301234")); // a landline the couple share, dialled without 010
        Assert.Equal((wife.Id, 1), await Identify(hotline, "01062301234", "567x"));
        Assert.Equal((null, 0), await Identify(hotline, "13800009999"));
        Assert.Equal((null, 0), await Identify(hotline, "13922220000")); // a deceased elder's number identifies nobody
        Assert.Equal((null, 0), await Identify(hotline, null));
        Assert.Equal((husband.Id, 1), await Identify(hotline, null, "1234")); // withheld: the tail alone, if it fits one file
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Clerk)).PostAsJsonAsync("/api/hotline/identify", new { callerNumber = "13911110000" }), 403, "hotline-only");
        await HttpAssert.ProblemAsync(await hotline.PostAsJsonAsync("/api/hotline/identify", new { callerNumber = "not a number" }), 400, "validation-failed");
    }
}
