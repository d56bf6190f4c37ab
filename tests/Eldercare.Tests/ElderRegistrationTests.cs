using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>Registering an elder at the window (一人一册): checked ID numbers, no duplicates, walk-ins from other zones.</summary>
public sealed class ElderRegistrationTests
{
    private static string IdNumber(int birthYear, int sequence) =>
        $"110108{birthYear}0315{sequence:000}" is var first17 ? first17 + ChineseIdNumber.CheckCharacter(first17) : "";

    private static object Body(Scenario s, string name, string idNumber, int communityId, string phone, bool notADuplicate = false) => new
    {
        name, idNumber, communityId, phone, notADuplicate,
        address = "学院路20号院3号楼502", groups = "LivingAlone, Aged80Plus", abilityLevel = 1, usesWeChat = false,
        emergencyContacts = new[] { new { name = "李小红", relation = "女儿", phone = "13911110000" } },
    };

    private static int UniqueSequence() => Random.Shared.Next(100, 999);

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_clerk_registers_a_walk_in_from_another_zone_and_then_serves_them(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var clerk = await s.ClientForAsync(await s.AddStaffAccountAsync(StaffRole.Clerk, s.Station1.Id));
        var otherStationsClerk = await s.ClientForAsync(await s.AddStaffAccountAsync(StaffRole.Clerk, s.Station2.Id));
        var idNumber = IdNumber(1944, UniqueSequence());
        var phone = "135" + Random.Shared.Next(10_000_000, 99_999_999);

        var response = await clerk.PostAsJsonAsync("/api/elders", Body(s, "李桂兰", idNumber, s.Community2.Id, phone), Json);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await JsonAsync(response);
        Assert.True(created.GetProperty("walkIn").GetBoolean());
        var id = created.GetProperty("id").GetInt32();
        var elder = await s.WithDbAsync(db => db.Elders.Include(e => e.EmergencyContacts).AsNoTracking().SingleAsync(e => e.Id == id));
        Assert.Equal(new DateOnly(1944, 3, 15), elder.BirthDate);
        Assert.Equal(ChineseIdNumber.Gender(idNumber), elder.Gender);
        Assert.Equal("LGL", elder.NameInitials);
        Assert.DoesNotContain(idNumber, elder.IdNumberCipher);
        Assert.Equal(s.Station1.Id, elder.RegisteredAtStationId);
        Assert.Equal("女儿", Assert.Single(elder.EmergencyContacts).Relation);

        // The registering window serves the walk-in (finds, opens, books); so does the station of their zone.
        var found = await clerk.GetFromJsonAsync<List<JsonElement>>("/api/elders?q=lgl");
        Assert.Contains(found!, x => x.GetProperty("id").GetInt32() == id);
        Assert.Equal(HttpStatusCode.OK, (await clerk.GetAsync($"/api/elders/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await otherStationsClerk.GetAsync($"/api/elders/{id}")).StatusCode);
        // Lunch at station 1's meal point, where the walk-in came in (visits at home stay with the station of their zone).
        var lunch = await s.AddSlotAsync(s.Lunch, s.Kitchen1, new(11, 0), new(13, 0), capacity: 3, period: MealPeriod.Lunch);
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(clerk, id, lunch.Id, mode: ServiceModes.AtCentre)).StatusCode);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Wrong_or_repeated_registrations_are_refused_and_write_nothing(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var clerk = await s.ClientForAsync(await s.AddStaffAccountAsync(StaffRole.Clerk, s.Station1.Id));
        var officer = await s.ClientForAsync(await s.AddStaffAccountAsync(StaffRole.Officer, null));
        var idNumber = IdNumber(1950, UniqueSequence());
        var phone = "136" + Random.Shared.Next(10_000_000, 99_999_999);
        var first = await clerk.PostAsJsonAsync("/api/elders", Body(s, "张秀英", idNumber, s.Community1.Id, phone), Json);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstId = (await JsonAsync(first)).GetProperty("id").GetInt32();
        var before = await s.WithDbAsync(db => db.Elders.CountAsync());

        var wrongCheck = idNumber[..17] + (idNumber[17] == '1' ? '2' : '1');
        await HttpAssert.ProblemAsync(await clerk.PostAsJsonAsync("/api/elders", Body(s, "王某", wrongCheck, s.Community1.Id, phone), Json), 400, "id-number-invalid");
        await HttpAssert.ProblemAsync(await clerk.PostAsJsonAsync("/api/elders", Body(s, "王某", IdNumber(1990, UniqueSequence()), s.Community1.Id, phone), Json), 400, "too-young");
        var again = await HttpAssert.ProblemAsync(await clerk.PostAsJsonAsync("/api/elders", Body(s, "张秀英", idNumber.ToLowerInvariant(), s.Community1.Id, phone), Json), 409, "elder-already-registered");
        Assert.Equal(firstId, again.GetProperty("elderId").GetInt32());
        var lookalike = await HttpAssert.ProblemAsync(await clerk.PostAsJsonAsync("/api/elders", Body(s, "张秀英", IdNumber(1951, UniqueSequence()), s.Community1.Id, phone), Json), 409, "possible-duplicate");
        Assert.Equal(firstId, lookalike.GetProperty("elderIds")[0].GetInt32());
        await HttpAssert.ProblemAsync(await clerk.PostAsJsonAsync("/api/elders", Body(s, "王某", IdNumber(1952, UniqueSequence()), s.Community1.Id, "12345"), Json), 400, "validation-failed");
        await HttpAssert.ProblemAsync(await clerk.PostAsJsonAsync("/api/elders", Body(s, "王某", IdNumber(1953, UniqueSequence()), 999_999, phone), Json), 400, "community-not-found");
        await HttpAssert.ProblemAsync(await officer.PostAsJsonAsync("/api/elders", Body(s, "王某", IdNumber(1954, UniqueSequence()), s.Community1.Id, phone), Json), 403, "forbidden");
        Assert.Equal(before, await s.WithDbAsync(db => db.Elders.CountAsync()));

        // Two people of the same name and phone do exist (a couple sharing a landline and a name is rare, not impossible).
        var confirmed = await clerk.PostAsJsonAsync("/api/elders", Body(s, "张秀英", IdNumber(1951, UniqueSequence()), s.Community1.Id, phone, notADuplicate: true), Json);
        Assert.Equal(HttpStatusCode.Created, confirmed.StatusCode);
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Two_windows_registering_the_same_person_at_once_make_one_file(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        var s = await CreateAsync(factory);
        var clerk = await s.ClientForAsync(await s.AddStaffAccountAsync(StaffRole.Clerk, s.Station1.Id));
        var idNumber = IdNumber(1946, UniqueSequence());

        var responses = await AllAtOnceAsync(10, i => clerk.PostAsJsonAsync("/api/elders", Body(s, "赵淑珍", idNumber, s.Community1.Id, $"1370000{i:0000}"), Json));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(9, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await s.WithDbAsync(db => db.Elders.CountAsync(e => e.Name == "赵淑珍")));
    }
}
