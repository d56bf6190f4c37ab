using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.PersonalData;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>Staff find an elder by name, pinyin initials, phone or ID number; opening a file is written to the audit log.</summary>
public sealed class ElderSearchTests
{
    [Theory]
    [InlineData("王建国", "WJG")]
    [InlineData("单雪梅", "SXM")] // 单 is Shan as a surname
    [InlineData("曾秀英", "ZXY")]
    [InlineData("李 A2", "LA2")]
    public void Names_have_pinyin_initials(string name, string initials) => Assert.Equal(initials, PinyinInitials.Of(name));

    private static string IdNumber(string first17) => first17 + ChineseIdNumber.CheckCharacter(first17);

    private static Task<Elder> AddNamedElderAsync(ApiFactory factory, Scenario s, string name, string phone, string idNumber, int station) =>
        s.WithDbAsync(async db =>
        {
            var ids = factory.Services.GetRequiredService<IdNumberProtector>();
            var elder = new Elder
            {
                Name = name, Gender = ChineseIdNumber.Gender(idNumber), BirthDate = ChineseIdNumber.BirthDate(idNumber),
                IdNumberCipher = ids.Protect(idNumber), IdNumberHash = ids.LookupHash(idNumber), IdNumberTailHash = ids.TailHash(idNumber),
                CommunityId = station == 1 ? s.Community1.Id : s.Community2.Id, Phone = phone, Address = "幸福里3号楼2单元401",
                Status = ElderStatus.Active, RegisteredAt = DateTime.UtcNow,
                EmergencyContacts = [new EmergencyContact { Name = "王小明", Relation = "儿子", Phone = "13911112222" }],
            };
            db.Elders.Add(elder);
            await db.SaveChangesAsync();
            return elder;
        });

    /// <summary>A real staff account (the audit log names it) with a session.</summary>
    private static async Task<(StaffAccount Account, HttpClient Client)> StaffAsync(Scenario s, StaffRole role, int? stationId)
    {
        var account = await s.AddStaffAccountAsync(role, stationId);
        return (account, await s.ClientForAsync(account));
    }

    private static async Task<List<JsonElement>> SearchAsync(HttpClient client, string q)
    {
        var response = await client.GetAsync($"/api/elders?q={Uri.EscapeDataString(q)}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<List<JsonElement>>())!;
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_clerk_finds_an_elder_of_their_zone_by_name_initials_phone_or_id_number_and_sees_them_masked(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var phone = "139" + Random.Shared.Next(10_000_000, 99_999_999);
        var idNumber = IdNumber("11010519491231" + Random.Shared.Next(100, 999));
        var elder = await AddNamedElderAsync(factory, s, "王建国" + s.Tag[..2], phone, idNumber, station: 1);
        var neighbour = await AddNamedElderAsync(factory, s, "王建华" + s.Tag[..2], "137" + Random.Shared.Next(10_000_000, 99_999_999), IdNumber("11010519500101" + Random.Shared.Next(100, 999)), station: 2);
        var (_, clerk) = await StaffAsync(s, StaffRole.Clerk, s.Station1.Id);

        foreach (var q in new[] { "建国" + s.Tag[..2], "wjg", phone, phone[^4..], idNumber.ToLowerInvariant() })
        {
            var found = await SearchAsync(clerk, q);
            var hit = Assert.Single(found, x => x.GetProperty("id").GetInt32() == elder.Id);
            Assert.Equal("**************" + idNumber[^4..], hit.GetProperty("maskedIdNumber").GetString());
            Assert.Equal(phone[..3] + "****" + phone[^4..], hit.GetProperty("maskedPhone").GetString());
            Assert.DoesNotContain(idNumber, JsonSerializer.Serialize(found));
            Assert.DoesNotContain(phone, JsonSerializer.Serialize(found));
            // The other station's elder of almost the same name stays out of this clerk's results.
            Assert.DoesNotContain(found, x => x.GetProperty("id").GetInt32() == neighbour.Id);
        }

        var (_, officer) = await StaffAsync(s, StaffRole.Officer, null);
        var both = await SearchAsync(officer, "王建");
        Assert.Contains(both, x => x.GetProperty("id").GetInt32() == elder.Id);
        Assert.Contains(both, x => x.GetProperty("id").GetInt32() == neighbour.Id);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Opening_a_file_is_written_to_the_audit_log_and_so_is_a_refused_look(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var idNumber = IdNumber("11010519451111" + Random.Shared.Next(100, 999));
        var elder = await AddNamedElderAsync(factory, s, "单雪梅", "13812345678", idNumber, station: 1);
        var (clerkAccount, clerk) = await StaffAsync(s, StaffRole.Clerk, s.Station1.Id);
        var (otherAccount, otherClerk) = await StaffAsync(s, StaffRole.Clerk, s.Station2.Id);
        var (_, officer) = await StaffAsync(s, StaffRole.Officer, null);

        var file = await clerk.GetFromJsonAsync<JsonElement>($"/api/elders/{elder.Id}");
        Assert.Equal("单雪梅", file.GetProperty("name").GetString());
        Assert.Equal("**************" + idNumber[^4..], file.GetProperty("maskedIdNumber").GetString());
        Assert.Equal("儿子", file.GetProperty("emergencyContacts")[0].GetProperty("relation").GetString());
        Assert.DoesNotContain(idNumber, file.GetRawText());
        await HttpAssert.ProblemAsync(await otherClerk.GetAsync($"/api/elders/{elder.Id}"), 403, "out-of-zone");

        var reads = await s.WithDbAsync(db => db.ElderFileReads.AsNoTracking().Where(r => r.ElderId == elder.Id).OrderBy(r => r.Id).ToListAsync());
        Assert.Equal([(clerkAccount.Id, false), (otherAccount.Id, true)], reads.Select(r => (r.StaffAccountId, r.Refused)));
        Assert.All(reads, r => Assert.True(r.ReadAt > DateTime.UtcNow.AddMinutes(-1)));

        // Officers supervise who looked, and who tried to (their own look is logged too).
        var log = await officer.GetFromJsonAsync<List<JsonElement>>($"/api/elders/{elder.Id}/file-reads");
        Assert.Equal([("Clerk老师", true), ("Clerk老师", false)], log!.Select(r => (r.GetProperty("staffName").GetString(), r.GetProperty("refused").GetBoolean())));
        await HttpAssert.ProblemAsync(await clerk.GetAsync($"/api/elders/{elder.Id}/file-reads"), 403, "forbidden");
    }

    [Fact]
    public async Task Only_staff_search_and_a_query_must_say_something()
    {
        using var factory = new ApiFactory();
        var s = await CreateAsync(factory);
        var elder = await s.AddElderAsync();
        var (_, clerk) = await StaffAsync(s, StaffRole.Clerk, s.Station1.Id);

        await HttpAssert.ProblemAsync(await (await s.ElderClientAsync(elder)).GetAsync("/api/elders?q=wjg"), 403, "forbidden");
        await HttpAssert.ProblemAsync(await (await s.HotlineClientAsync()).GetAsync("/api/elders?q=wjg"), 403, "forbidden");
        await HttpAssert.ProblemAsync(await factory.CreateClient().GetAsync("/api/elders?q=wjg"), 401, "unauthenticated");
        await HttpAssert.ProblemAsync(await clerk.GetAsync("/api/elders?q=%20"), 400, "search-query-invalid");
        await HttpAssert.ProblemAsync(await clerk.GetAsync("/api/elders?q=" + new string('王', 31)), 400, "search-query-invalid");
        await HttpAssert.ProblemAsync(await clerk.GetAsync("/api/elders/999999"), 404, "elder-not-found");
    }
}
