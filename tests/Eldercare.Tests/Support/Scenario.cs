using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Eldercare.Tests.Support;

/// <summary>
/// A small street built straight into the database for one test: two stations with one community each, a meal
/// point and a caregiver pool at station 1, a caregiver pool at station 2, and three services. Tests add the
/// elders, slots, rules and sessions they need, then talk to the API over HTTP.
/// </summary>
public sealed class Scenario
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly ApiFactory _factory;
    private int _idSequence;

    private Scenario(ApiFactory factory) => _factory = factory;

    /// <summary>Makes this scenario's codes unique, so several scenarios can share one database.</summary>
    public string Tag { get; } = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();

    public Station Station1 { get; private set; } = null!;
    public Station Station2 { get; private set; } = null!;
    public Community Community1 { get; private set; } = null!;
    public Community Community2 { get; private set; } = null!;
    public ServiceResource Kitchen1 { get; private set; } = null!;
    public ServiceResource Pool1 { get; private set; } = null!;
    public ServiceResource Pool2 { get; private set; } = null!;
    public CatalogItem Lunch { get; private set; } = null!;
    public CatalogItem Cleaning { get; private set; } = null!;
    public CatalogItem Bath { get; private set; } = null!;

    /// <summary>The day the tests book for: two days ahead in Beijing time, so the usual cut-offs are still open.</summary>
    public DateOnly Day => DateOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow)).AddDays(2);

    public static async Task<Scenario> CreateAsync(ApiFactory factory)
    {
        var s = new Scenario(factory);
        await s.WithDbAsync(async db =>
        {
            var street = new Street { District = "测试区", Name = "测试街道" };
            db.Streets.Add(street);
            await db.SaveChangesAsync();
            s.Station1 = new Station { StreetId = street.Id, Code = $"T1-{s.Tag}", Name = "测试一站", Address = "一号", DutyPhone = "01000000001" };
            s.Station2 = new Station { StreetId = street.Id, Code = $"T2-{s.Tag}", Name = "测试二站", Address = "二号", DutyPhone = "01000000002" };
            db.Stations.AddRange(s.Station1, s.Station2);
            await db.SaveChangesAsync();
            s.Community1 = new Community { StreetId = street.Id, StationId = s.Station1.Id, Code = $"C1-{s.Tag}", Name = "一社区", Residents = 1000 };
            s.Community2 = new Community { StreetId = street.Id, StationId = s.Station2.Id, Code = $"C2-{s.Tag}", Name = "二社区", Residents = 1000 };
            db.Communities.AddRange(s.Community1, s.Community2);
            var venue = new Venue { StationId = s.Station1.Id, Kind = VenueKind.MealPoint, Name = "一站餐桌", Address = "一号" };
            db.Venues.Add(venue);
            await db.SaveChangesAsync();
            s.Kitchen1 = new ServiceResource { StationId = s.Station1.Id, VenueId = venue.Id, Kind = ResourceKind.MealPoint, Name = "一站餐桌" };
            s.Pool1 = new ServiceResource { StationId = s.Station1.Id, Kind = ResourceKind.CaregiverPool, Name = "一站护理员" };
            s.Pool2 = new ServiceResource { StationId = s.Station2.Id, Kind = ResourceKind.CaregiverPool, Name = "二站护理员" };
            db.ServiceResources.AddRange(s.Kitchen1, s.Pool1, s.Pool2);
            var stamp = DateTime.UtcNow;
            s.Lunch = new CatalogItem { Code = $"LUNCH-{s.Tag}", Line = ServiceLine.Meals, Name = "午餐", Detail = "", Provider = "餐桌", Modes = ServiceModes.AtCentre | ServiceModes.Delivery, DurationMinutes = 60, ListPriceFen = 1500, IsBasic = true, UpdatedAt = stamp };
            s.Cleaning = new CatalogItem { Code = $"CLEAN-{s.Tag}", Line = ServiceLine.Cleaning, Name = "保洁", Detail = "", Provider = "护理员", Modes = ServiceModes.AtHome, DurationMinutes = 120, ListPriceFen = 8000, UpdatedAt = stamp };
            s.Bath = new CatalogItem { Code = $"BATH-{s.Tag}", Line = ServiceLine.Bathing, Name = "助浴", Detail = "", Provider = "护理员", Modes = ServiceModes.AtHome, DurationMinutes = 90, ListPriceFen = 12000,
                EligibleGroups = ElderGroups.Disabled, MinAbilityLevel = 1, MaxAbilityLevel = 3, UpdatedAt = stamp };
            db.CatalogItems.AddRange(s.Lunch, s.Cleaning, s.Bath);
            await db.SaveChangesAsync();
            db.CatalogItemVersions.AddRange(s.Lunch.Snapshot(stamp, "test"), s.Cleaning.Snapshot(stamp, "test"), s.Bath.Snapshot(stamp, "test"));
            await db.SaveChangesAsync();
        });
        return s;
    }

    public async Task WithDbAsync(Func<EldercareDb, Task> work)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        await work(scope.ServiceProvider.GetRequiredService<EldercareDb>());
    }

    public async Task<T> WithDbAsync<T>(Func<EldercareDb, Task<T>> work)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<EldercareDb>());
    }

    public Task<Elder> AddElderAsync(ElderGroups groups = ElderGroups.None, int ability = 0, ElderStatus status = ElderStatus.Active, int station = 1, int age = 75) =>
        WithDbAsync(async db =>
        {
            var n = Interlocked.Increment(ref _idSequence);
            var (birth, idNumber) = TestIds.New(age, Gender.Female);
            var elder = new Elder
            {
                Name = $"测试老人{n}", Gender = Gender.Female, BirthDate = birth,
                IdNumberCipher = TestIds.Protector.Protect(idNumber), IdNumberHash = TestIds.Protector.LookupHash(idNumber), IdNumberTailHash = TestIds.Protector.TailHash(idNumber),
                CommunityId = station == 1 ? Community1.Id : Community2.Id, Groups = groups, AbilityLevel = ability, Phone = $"1380000{n:0000}",
                Address = "测试地址", Status = status, RegisteredAt = DateTime.UtcNow,
            };
            db.Elders.Add(elder);
            await db.SaveChangesAsync();
            return elder;
        });

    public Task<Slot> AddSlotAsync(CatalogItem item, ServiceResource resource, TimeOnly start, TimeOnly end, int capacity = 5,
        DateOnly? date = null, DateTime? cutoffAt = null, MealPeriod? period = null) =>
        WithDbAsync(async db =>
        {
            var day = date ?? Day;
            var slot = new Slot
            {
                CatalogItemId = item.Id, ResourceId = resource.Id, Date = day, Start = start, End = end, Capacity = capacity, MealPeriod = period,
                CutoffAt = cutoffAt ?? BusinessTime.ToUtc(day.AddDays(-1), new TimeOnly(18, 0)), Status = SlotStatus.Open,
            };
            db.Slots.Add(slot);
            await db.SaveChangesAsync();
            return slot;
        });

    public Task<FamilyMember> AddFamilyAsync(params int[] boundElderIds) => WithDbAsync(async db =>
    {
        var member = new FamilyMember { Name = "家属", Phone = "13900000000" };
        foreach (var id in boundElderIds)
            member.Bindings.Add(new FamilyBinding { ElderId = id, Relation = "女儿", Status = BindingStatus.Active, RequestedAt = DateTime.UtcNow, ConfirmedAt = DateTime.UtcNow });
        db.FamilyMembers.Add(member);
        await db.SaveChangesAsync();
        return member;
    });

    public Task<SubsidyRule> AddRuleAsync(SubsidyRule rule) => WithDbAsync(async db =>
    {
        db.SubsidyRules.Add(rule);
        await db.SaveChangesAsync();
        return rule;
    });

    public async Task<HttpClient> ClientAsync(SessionPrincipal principal)
    {
        var token = await _factory.Services.GetRequiredService<SessionStore>().CreateAsync(principal);
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public Task<HttpClient> ElderClientAsync(Elder elder) => ClientAsync(new SessionPrincipal(PrincipalKind.Elder, elder.Id, "miniprogram"));
    public Task<HttpClient> FamilyClientAsync(FamilyMember member) => ClientAsync(new SessionPrincipal(PrincipalKind.Family, member.Id, "miniprogram"));
    /// <summary>A session for a new console account of this role (at station 1 unless told), as its login would give.</summary>
    public async Task<HttpClient> StaffClientAsync(StaffRole role, int? station = null) =>
        await ClientForAsync(await AddStaffAccountAsync(role, role is StaffRole.Officer or StaffRole.HotlineAgent && station is null ? null : station ?? Station1.Id));
    public Task<HttpClient> HotlineClientAsync() => ClientAsync(new SessionPrincipal(PrincipalKind.Service, 1, "hotline"));

    /// <summary>A real console account (what the login and the audit log need), its password hashed as the hub hashes it.</summary>
    public Task<StaffAccount> AddStaffAccountAsync(StaffRole role, int? stationId, string password = "Staff-pass-2026", string? username = null) =>
        WithDbAsync(async db =>
        {
            var account = new StaffAccount
            {
                Username = username ?? $"{role}-{Tag}-{Interlocked.Increment(ref _idSequence)}".ToLowerInvariant(), DisplayName = $"{role}老师",
                Role = role, StationId = stationId, PasswordHash = "", CreatedAt = DateTime.UtcNow,
            };
            account.PasswordHash = new PasswordHasher<StaffAccount>().HashPassword(account, password);
            db.StaffAccounts.Add(account);
            await db.SaveChangesAsync();
            return account;
        });

    /// <summary>A session for a real staff account, as its login would give.</summary>
    public Task<HttpClient> ClientForAsync(StaffAccount account) => ClientAsync(new SessionPrincipal(PrincipalKind.Staff, account.Id,
        account.Role == StaffRole.HotlineAgent ? "hotline" : "window", account.Role, account.StationId));

    /// <summary>Starts every request at the same moment (released together by a barrier) and waits for all the answers.</summary>
    public static async Task<HttpResponseMessage[]> AllAtOnceAsync(int count, Func<int, Task<HttpResponseMessage>> send)
    {
        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, count).Select(async i => { await start.WaitAsync(); return await send(i); }).ToList();
        start.Release(count);
        return await Task.WhenAll(tasks);
    }

    public static Task<HttpResponseMessage> BookAsync(HttpClient client, int elderId, long slotId, string? key = null, ServiceModes? mode = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/bookings") { Content = JsonContent.Create(new { elderId, slotId, mode }, options: Json) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>())!;
}
