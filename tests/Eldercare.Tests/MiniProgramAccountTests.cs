using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Redis;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>Mini-program accounts: WeChat log-in against the fake WeChat server, phone numbers, the elder's own file, family binding.</summary>
public sealed class MiniProgramAccountTests(WeChatApi api) : IClassFixture<WeChatApi>
{
    private async Task<HttpResponseMessage> LogInAsync(string code) =>
        await api.CreateClient().PostAsJsonAsync("/api/auth/wechat", new { code });

    /// <summary>A mini-program user logged in through WeChat, with the client carrying their session.</summary>
    private async Task<(HttpClient Client, JsonElement Login)> WeChatUserAsync(string openId, string? phone = null)
    {
        var login = await JsonAsync(await LogInAsync(api.WeChat.IssueLoginCode(openId)));
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        if (phone is not null)
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/auth/wechat/phone", new { code = api.WeChat.IssuePhoneCode(phone) })).StatusCode);
        return (client, login);
    }

    /// <summary>An elder of a new scenario, with a phone of their own (scenarios sharing this class's database repeat names and phones).</summary>
    private static async Task<Elder> UniqueElderAsync(Scenario s)
    {
        var elder = await s.AddElderAsync();
        elder.Phone = "137" + Random.Shared.Next(10_000_000, 99_999_999);
        await s.WithDbAsync(db => db.Elders.Where(e => e.Id == elder.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.Phone, elder.Phone)));
        return elder;
    }

    private static Task<HttpResponseMessage> AskToBindAsync(HttpClient family, Elder elder, string? last4 = null, string? phone = null) =>
        family.PostAsJsonAsync("/api/family-bindings", new { elderName = elder.Name, idLast4 = last4 ?? TestIds.TailOf(elder), elderPhone = phone ?? elder.Phone, relation = "女儿" });

    [Fact]
    public async Task A_first_log_in_makes_a_family_member_and_a_log_in_code_works_once_and_not_after_five_minutes()
    {
        var openId = "o-" + Guid.NewGuid().ToString("N");
        var code = api.WeChat.IssueLoginCode(openId);

        var first = await LogInAsync(code);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var body = await first.Content.ReadAsStringAsync();
        Assert.DoesNotContain("session_key", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("sessionKey", body, StringComparison.OrdinalIgnoreCase);
        var login = JsonDocument.Parse(body).RootElement;
        Assert.Equal(("Family", false, 0), (login.GetProperty("kind").GetString(), login.GetProperty("phoneBound").GetBoolean(), login.GetProperty("elders").GetArrayLength()));
        var session = api.CreateClient();
        session.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        Assert.Equal("Family", (await session.GetFromJsonAsync<JsonElement>("/api/session")).GetProperty("kind").GetString());

        await HttpAssert.ProblemAsync(await LogInAsync(code), 400, "wechat-code-invalid"); // spent
        var again = await JsonAsync(await LogInAsync(api.WeChat.IssueLoginCode(openId)));
        Assert.Equal(login.GetProperty("id").GetInt32(), again.GetProperty("id").GetInt32()); // the same person, not a second record
        var stale = api.WeChat.IssueLoginCode(openId);
        api.WeChat.ClockOffset = TimeSpan.FromMinutes(6);
        try
        {
            await HttpAssert.ProblemAsync(await LogInAsync(stale), 400, "wechat-code-invalid");
        }
        finally
        {
            api.WeChat.ClockOffset = TimeSpan.Zero;
        }
        await HttpAssert.ProblemAsync(await LogInAsync("made-up"), 400, "wechat-code-invalid");
        await HttpAssert.ProblemAsync(await LogInAsync(""), 400, "validation-failed");
        Assert.Equal(1, await (await CreateAsync(api)).WithDbAsync(db => db.FamilyMembers.CountAsync(f => f.WeChatOpenId == openId)));

        api.WeChat.Down = true;
        try
        {
            await HttpAssert.ProblemAsync(await LogInAsync(api.WeChat.IssueLoginCode(openId)), 503, "wechat-unavailable");
        }
        finally
        {
            api.WeChat.Down = false;
        }
    }

    [Fact]
    public async Task Five_wrong_guesses_in_an_hour_turn_a_family_member_away_even_with_the_right_details_but_not_others()
    {
        var s = await CreateAsync(api);
        var elder = await UniqueElderAsync(s);
        var (guesser, guesserLogin) = await WeChatUserAsync("o-" + Guid.NewGuid().ToString("N"));
        var (daughter, _) = await WeChatUserAsync("o-" + Guid.NewGuid().ToString("N"));
        foreach (var member in new[] { guesser, daughter })
            Assert.True((await member.PostAsJsonAsync("/api/auth/wechat/phone", new { code = api.WeChat.IssuePhoneCode("13911113333") })).IsSuccessStatusCode);

        // Five wrong guesses at the same time (as a script would send them) count as five; the same one again is not a new one.
        var misses = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => AskToBindAsync(guesser, elder, last4: $"{1000 + i}")));
        Assert.All(misses, m => Assert.Equal(HttpStatusCode.NotFound, m.StatusCode));
        // The hour runs from the first of them, however they raced: the turning away ends.
        var redis = api.Services.GetRequiredService<RedisConnection>();
        var window = await redis.Database.KeyTimeToLiveAsync(redis.Key($"elder-detail-guesses:family:{guesserLogin.GetProperty("id").GetInt32()}"));
        Assert.InRange(window!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        await HttpAssert.ProblemAsync(await AskToBindAsync(guesser, elder, last4: "1000"), 404, "elder-not-matched");
        var refused = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => AskToBindAsync(guesser, elder))); // the right details, too late
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        await HttpAssert.ProblemAsync(await AskToBindAsync(guesser, elder), 429, "too-many-attempts");
        Assert.False(await s.WithDbAsync(db => db.FamilyBindings.AnyAsync(b => b.ElderId == elder.Id)));
        // Someone else who knows the details is not held up by the guesser.
        Assert.Equal(HttpStatusCode.Created, (await AskToBindAsync(daughter, elder)).StatusCode);
    }

    [Fact]
    public async Task A_family_member_binds_an_elder_who_confirms_then_books_for_them_until_the_elder_unbinds()
    {
        var s = await CreateAsync(api);
        var elder = await UniqueElderAsync(s);
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var (family, _) = await WeChatUserAsync("o-" + Guid.NewGuid().ToString("N"));

        await HttpAssert.ProblemAsync(await AskToBindAsync(family, elder), 409, "phone-required");
        var phone = await family.PostAsJsonAsync("/api/auth/wechat/phone", new { code = api.WeChat.IssuePhoneCode("13911112222") });
        Assert.Equal("139****2222", (await JsonAsync(phone)).GetProperty("maskedPhone").GetString());
        await HttpAssert.ProblemAsync(await AskToBindAsync(family, elder, last4: "9999"), 404, "elder-not-matched");
        await HttpAssert.ProblemAsync(await AskToBindAsync(family, elder, phone: "13800009999"), 404, "elder-not-matched");
        Assert.False(await s.WithDbAsync(db => db.FamilyBindings.AnyAsync(b => b.ElderId == elder.Id)));

        var asked = await AskToBindAsync(family, elder);
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        var binding = await JsonAsync(asked);
        var bindingId = binding.GetProperty("id").GetInt32();
        Assert.Equal("Pending", binding.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await AskToBindAsync(family, elder)).StatusCode); // asked twice: the same binding
        await HttpAssert.ProblemAsync(await family.GetAsync($"/api/bookings?elderId={elder.Id}"), 403, "not-bound"); // not yet confirmed
        await HttpAssert.ProblemAsync(await family.PostAsync($"/api/family-bindings/{bindingId}/confirm", null), 403, "not-yourself");

        var elderApp = await s.ElderClientAsync(elder);
        var requests = await elderApp.GetFromJsonAsync<JsonElement>("/api/family-bindings");
        Assert.Equal("139****2222", Assert.Single(requests.EnumerateArray()).GetProperty("familyPhone").GetString());
        var confirmed = await elderApp.PostAsync($"/api/family-bindings/{bindingId}/confirm", null);
        Assert.Equal("Active", (await JsonAsync(confirmed)).GetProperty("status").GetString());

        var relogin = await WeChatUserAsync(await OpenIdOfAsync(s, binding));
        var bound = Assert.Single(relogin.Login.GetProperty("elders").EnumerateArray());
        Assert.Equal(elder.Id, bound.GetProperty("elderId").GetInt32());
        // With the elder's station and its phone: the mini-program's "call the station" button on every page.
        Assert.Equal((s.Station1.Name, s.Station1.DutyPhone), (bound.GetProperty("station").GetString(), bound.GetProperty("stationPhone").GetString()));
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(family, elder.Id, slot.Id, mode: ServiceModes.AtHome)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await elderApp.DeleteAsync($"/api/family-bindings/{bindingId}")).StatusCode);
        await HttpAssert.ProblemAsync(await family.GetAsync($"/api/bookings?elderId={elder.Id}"), 403, "not-bound");
        await HttpAssert.ProblemAsync(await elderApp.PostAsync($"/api/family-bindings/{bindingId}/confirm", null), 409, "binding-ended");

        // Asked again, and confirmed at the window this time; a clerk of another station cannot.
        Assert.Equal(HttpStatusCode.Created, (await AskToBindAsync(family, elder)).StatusCode);
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Clerk, s.Station2.Id)).PostAsync($"/api/family-bindings/{bindingId}/confirm", null), 403, "out-of-zone");
        // Nor a hotline agent: a voice on the phone cannot show that the elder agrees.
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.HotlineAgent)).PostAsync($"/api/family-bindings/{bindingId}/confirm", null), 403, "forbidden");
        var atWindow = await (await s.StaffClientAsync(StaffRole.Clerk)).PostAsync($"/api/family-bindings/{bindingId}/confirm", null);
        Assert.Equal("Active", (await JsonAsync(atWindow)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await family.GetAsync($"/api/bookings?elderId={elder.Id}")).StatusCode);
        // Someone else's binding: not found, and untouched.
        var (stranger, _) = await WeChatUserAsync("o-" + Guid.NewGuid().ToString("N"));
        await HttpAssert.ProblemAsync(await stranger.DeleteAsync($"/api/family-bindings/{bindingId}"), 404, "binding-not-found");
        Assert.Equal(BindingStatus.Active, await s.WithDbAsync(db => db.FamilyBindings.Where(b => b.Id == bindingId).Select(b => b.Status).SingleAsync()));
    }

    [Fact]
    public async Task An_elder_claims_their_own_file_with_the_phone_WeChat_vouches_for_and_logs_in_as_themself_from_then_on()
    {
        var s = await CreateAsync(api);
        var elder = await UniqueElderAsync(s);
        var openId = "o-" + Guid.NewGuid().ToString("N");
        var (user, _) = await WeChatUserAsync(openId);
        var tail = TestIds.TailOf(elder);
        var wrongTail = (tail[0] == '9' ? '1' : (char)(tail[0] + 1)) + tail[1..];
        object Claim(string phone, string? last4 = null) => new { name = elder.Name, idLast4 = last4 ?? tail, phoneCode = api.WeChat.IssuePhoneCode(phone) };

        await HttpAssert.ProblemAsync(await user.PostAsJsonAsync("/api/auth/wechat/elder", Claim("13700000000")), 404, "elder-not-matched");
        await HttpAssert.ProblemAsync(await user.PostAsJsonAsync("/api/auth/wechat/elder", Claim(elder.Phone, wrongTail)), 404, "elder-not-matched");
        await HttpAssert.ProblemAsync(await user.PostAsJsonAsync("/api/auth/wechat/elder", new { name = elder.Name, idLast4 = tail, phoneCode = "spent-or-made-up" }), 400, "wechat-code-invalid");

        var claimed = await JsonAsync(await user.PostAsJsonAsync("/api/auth/wechat/elder", Claim(elder.Phone)));
        Assert.Equal(("Elder", elder.Id), (claimed.GetProperty("kind").GetString(), claimed.GetProperty("id").GetInt32()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.GetAsync("/api/session")).StatusCode); // the family session ended with the claim

        var next = await JsonAsync(await LogInAsync(api.WeChat.IssueLoginCode(openId)));
        Assert.Equal(("Elder", elder.Id), (next.GetProperty("kind").GetString(), next.GetProperty("id").GetInt32()));
        var (impostor, _) = await WeChatUserAsync("o-" + Guid.NewGuid().ToString("N"));
        await HttpAssert.ProblemAsync(await impostor.PostAsJsonAsync("/api/auth/wechat/elder", Claim(elder.Phone)), 409, "elder-already-claimed");
    }

    [Fact]
    public async Task A_daughter_who_has_bound_her_father_cannot_turn_her_own_WeChat_into_his_file_and_keeps_her_bindings()
    {
        var s = await CreateAsync(api);
        var father = await UniqueElderAsync(s);
        var openId = "o-" + Guid.NewGuid().ToString("N");
        var (daughter, _) = await WeChatUserAsync(openId, "13911110000");
        Assert.Equal(HttpStatusCode.Created, (await AskToBindAsync(daughter, father)).StatusCode);

        // She taps "我是老人本人" with his details and a phone WeChat vouches for (the family shares his number).
        var claim = await daughter.PostAsJsonAsync("/api/auth/wechat/elder",
            new { name = father.Name, idLast4 = TestIds.TailOf(father), phoneCode = api.WeChat.IssuePhoneCode(father.Phone) });

        await HttpAssert.ProblemAsync(claim, 409, "family-cannot-claim");
        Assert.Null(await s.WithDbAsync(db => db.Elders.Where(e => e.Id == father.Id).Select(e => e.WeChatOpenId).SingleAsync()));
        var login = await JsonAsync(await LogInAsync(api.WeChat.IssueLoginCode(openId)));
        Assert.Equal("Family", login.GetProperty("kind").GetString()); // still herself, her request to bind still there
        Assert.Equal(1, await s.WithDbAsync(db => db.FamilyBindings.CountAsync(b => b.ElderId == father.Id && b.Status == BindingStatus.Pending)));

        // Her home page asks whom she may act for: nobody until he agrees (here at the window), then him, with his station's phone.
        Assert.Equal(0, (await daughter.GetFromJsonAsync<JsonElement>("/api/auth/wechat/elders")).GetArrayLength());
        var bindingId = await s.WithDbAsync(db => db.FamilyBindings.Where(b => b.ElderId == father.Id).Select(b => b.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.OK, (await (await s.StaffClientAsync(StaffRole.Clerk)).PostAsync($"/api/family-bindings/{bindingId}/confirm", null)).StatusCode);
        var elders = await daughter.GetFromJsonAsync<JsonElement>("/api/auth/wechat/elders");
        Assert.Equal((father.Id, s.Station1.DutyPhone), (elders[0].GetProperty("elderId").GetInt32(), elders[0].GetProperty("stationPhone").GetString()));
    }

    private static Task<string> OpenIdOfAsync(Scenario s, JsonElement binding) =>
        s.WithDbAsync(db => db.FamilyMembers.Where(f => f.Id == binding.GetProperty("familyMemberId").GetInt32()).Select(f => f.WeChatOpenId!).SingleAsync());

    [Fact]
    public async Task A_caregiver_binds_their_WeChat_once_with_the_managers_one_time_code_and_is_then_logged_in_as_the_caregiver()
    {
        var s = await CreateAsync(api);
        var caregiver = await s.WithDbAsync(async db =>
        {
            var c = new Caregiver { StationId = s.Station1.Id, Name = "王芳", Phone = "13911110000" };
            db.Caregivers.Add(c);
            await db.SaveChangesAsync();
            return c;
        });
        var account = await s.AddStaffAccountAsync(StaffRole.Caregiver, s.Station1.Id);
        await s.WithDbAsync(db => db.StaffAccounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(x => x.SetProperty(a => a.CaregiverId, caregiver.Id)));
        var manager = await s.StaffClientAsync(StaffRole.StationManager);
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.StationManager, s.Station2.Id)).PostAsync($"/api/caregivers/{caregiver.Id}/wechat-code", null), 403, "forbidden");
        await HttpAssert.ProblemAsync(await (await s.StaffClientAsync(StaffRole.Clerk)).PostAsync($"/api/caregivers/{caregiver.Id}/wechat-code", null), 403, "forbidden");
        var issued = await JsonAsync(await manager.PostAsync($"/api/caregivers/{caregiver.Id}/wechat-code", null));
        var code = issued.GetProperty("code").GetString()!;
        Assert.Matches("^[2-9A-HJKMNP-Z]{8}$", code);

        var openId = "o-" + Guid.NewGuid().ToString("N");
        var (phone, first) = await WeChatUserAsync(openId);
        Assert.Equal("Family", first.GetProperty("kind").GetString());
        await HttpAssert.ProblemAsync(await phone.PostAsJsonAsync("/api/auth/wechat/caregiver", new { code = "ABCDEFGH" }), 400, "bind-code-invalid");
        var bound = await JsonAsync(await phone.PostAsJsonAsync("/api/auth/wechat/caregiver", new { code = code.ToLowerInvariant() }));
        Assert.Equal(("Caregiver", account.Id), (bound.GetProperty("kind").GetString(), bound.GetProperty("id").GetInt32()));
        var asCaregiver = api.CreateClient();
        asCaregiver.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bound.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await asCaregiver.GetAsync("/api/visits/today")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync("/api/auth/wechat/elders")).StatusCode); // the family session ended

        // Used once: another WeChat cannot take the same code. From now on this WeChat opens as the caregiver.
        var (other, _) = await WeChatUserAsync("o-" + Guid.NewGuid().ToString("N"));
        await HttpAssert.ProblemAsync(await other.PostAsJsonAsync("/api/auth/wechat/caregiver", new { code }), 400, "bind-code-invalid");
        Assert.Equal("Caregiver", (await JsonAsync(await LogInAsync(api.WeChat.IssueLoginCode(openId)))).GetProperty("kind").GetString());

        // A code past its ten minutes is refused.
        var late = (await JsonAsync(await manager.PostAsync($"/api/caregivers/{caregiver.Id}/wechat-code", null))).GetProperty("code").GetString()!;
        await s.WithDbAsync(db => db.WeChatBindCodes.Where(c => c.StaffAccountId == account.Id && c.UsedAt == null)
            .ExecuteUpdateAsync(x => x.SetProperty(c => c.ExpiresAt, DateTime.UtcNow.AddSeconds(-1))));
        await HttpAssert.ProblemAsync(await other.PostAsJsonAsync("/api/auth/wechat/caregiver", new { code = late }), 400, "bind-code-invalid");
    }
}

/// <summary>Binding requests on a database of their own: racing each other (both databases), and fitting two files.</summary>
public sealed class FamilyBindingRequestTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Ten_identical_requests_at_once_make_one_binding(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var elder = await s.AddElderAsync();
        var family = await s.FamilyClientAsync(await s.AddFamilyAsync());

        var answers = await AllAtOnceAsync(10, _ => family.PostAsJsonAsync("/api/family-bindings",
            new { elderName = elder.Name, idLast4 = TestIds.TailOf(elder), elderPhone = elder.Phone, relation = "儿子" }));

        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, a.StatusCode.ToString()));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        var ids = await Task.WhenAll(answers.Select(async a => (await JsonAsync(a)).GetProperty("id").GetInt32()));
        Assert.Single(ids.Distinct());
        Assert.Equal(1, await s.WithDbAsync(db => db.FamilyBindings.CountAsync(b => b.ElderId == elder.Id)));
    }

    [Fact]
    public async Task Details_that_fit_two_files_bind_neither_and_send_the_family_to_the_window()
    {
        using var database = TestDatabase.New("Sqlite");
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var elder = await s.AddElderAsync();
        var twin = await s.AddElderAsync();
        await s.WithDbAsync(db => db.Elders.Where(e => e.Id == twin.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.Name, elder.Name).SetProperty(e => e.Phone, elder.Phone).SetProperty(e => e.IdNumberTailHash, elder.IdNumberTailHash)));
        var family = await s.FamilyClientAsync(await s.AddFamilyAsync());

        await HttpAssert.ProblemAsync(await family.PostAsJsonAsync("/api/family-bindings",
            new { elderName = elder.Name, idLast4 = TestIds.TailOf(elder), elderPhone = elder.Phone, relation = "儿子" }), 409, "elder-ambiguous");
        Assert.Equal(0, await s.WithDbAsync(db => db.FamilyBindings.CountAsync()));
    }
}

/// <summary>Two API nodes share WeChat's access token through Redis.</summary>
public sealed class WeChatTokenTests
{
    [Fact]
    public async Task Two_nodes_fetch_the_access_token_once_between_them_and_both_move_on_when_WeChat_renews_it()
    {
        await using var wechat = await Eldercare.FakeWeChat.FakeWeChatServer.StartAsync();
        using var database = TestDatabase.NewSqlite();
        var settings = new Dictionary<string, string?>
        {
            ["Redis:KeyPrefix"] = $"test-{Guid.NewGuid():N}:",
            ["WeChat:ApiBaseUrl"] = wechat.BaseUrl,
            ["WeChat:AppId"] = Eldercare.FakeWeChat.FakeWeChatServer.AppId,
            ["WeChat:AppSecret"] = Eldercare.FakeWeChat.FakeWeChatServer.AppSecret,
        };
        await using var nodeA = new ApiFactory(database, settings);
        await using var nodeB = new ApiFactory(database, settings);
        var login = await JsonAsync(await nodeA.CreateClient().PostAsJsonAsync("/api/auth/wechat", new { code = wechat.IssueLoginCode("o-" + Guid.NewGuid().ToString("N")) }));
        HttpClient On(ApiFactory node)
        {
            var client = node.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
            return client;
        }
        async Task SharePhoneAsync(ApiFactory node) =>
            Assert.Equal(HttpStatusCode.OK, (await On(node).PostAsJsonAsync("/api/auth/wechat/phone", new { code = wechat.IssuePhoneCode("13911112222") })).StatusCode);

        await SharePhoneAsync(nodeA);
        await SharePhoneAsync(nodeB);
        Assert.Equal(1, wechat.TokenRequests);

        wechat.RenewToken(); // as when WeChat renews it: the token both nodes hold stops working
        await SharePhoneAsync(nodeB);
        await SharePhoneAsync(nodeA);
        Assert.Equal(2, wechat.TokenRequests); // B fetched the new one; A found it in Redis
    }
}
