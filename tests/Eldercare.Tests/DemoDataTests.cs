using System.Security.Cryptography;
using System.Text;
using Dapper;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.PersonalData;
using Eldercare.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Eldercare.Tests;

public sealed class DemoDataTests : IClassFixture<DemoDataTests.DemoFactory>
{
    private readonly DemoFactory _factory;
    public DemoDataTests(DemoFactory factory) => _factory = factory;

    /// <summary>An API that loads the demo street on its first start, as `./eldercare.sh run` does.</summary>
    public sealed class DemoFactory() : ApiFactory(settings: new Dictionary<string, string?> { ["DemoData:LoadOnStart"] = "true" });

    private async Task<T> WithDbAsync<T>(Func<EldercareDb, IServiceProvider, Task<T>> read)
    {
        _factory.CreateClient();
        await using var scope = _factory.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<EldercareDb>(), scope.ServiceProvider);
    }

    [Fact]
    public async Task The_demo_street_has_its_communities_stations_zones_and_service_points()
    {
        await WithDbAsync<bool>(async (db, _) =>
        {
            Assert.Equal("学院路街道", (await db.Streets.SingleAsync()).Name);
            var stations = await db.Stations.ToListAsync();
            Assert.Equal(3, stations.Count);
            var communities = await db.Communities.ToListAsync();
            Assert.Equal(27, communities.Count);
            Assert.All(stations, s => Assert.Equal(9, communities.Count(c => c.StationId == s.Id))); // every community in exactly one zone

            var venues = await db.Venues.ToListAsync();
            Assert.Equal(4, venues.Count(v => v.Kind == VenueKind.MealPoint));
            Assert.Single(venues, v => v.Kind == VenueKind.BathingRoom);
            Assert.Single(venues, v => v.Kind == VenueKind.HealthStation);
            var resources = await db.ServiceResources.ToListAsync();
            Assert.Single(resources, r => r.Kind == ResourceKind.HomeBathingTeam);
            Assert.Single(resources, r => r.Kind == ResourceKind.BathingRoom);
            Assert.Equal(2, resources.Count(r => r.Kind == ResourceKind.Doctor));
            Assert.Equal(12, await db.Caregivers.CountAsync());
            return true;
        });
    }

    [Fact]
    public async Task About_three_hundred_elders_cover_the_protected_groups_and_every_ability_level()
    {
        await WithDbAsync<bool>(async (db, _) =>
        {
            var elders = await db.Elders.Include(e => e.EmergencyContacts).ToListAsync();
            Assert.Equal(300, elders.Count);
            foreach (var group in new[] { ElderGroups.Destitute, ElderGroups.LowIncome, ElderGroups.LivingAlone, ElderGroups.EmptyNest,
                         ElderGroups.Aged80Plus, ElderGroups.Disabled, ElderGroups.Demented })
                Assert.True(elders.Count(e => e.Groups.HasFlag(group)) >= 3, $"too few elders in group {group}");
            Assert.Equal([0, 1, 2, 3, 4], elders.Select(e => e.AbilityLevel).Distinct().Order());
            Assert.All(elders, e => Assert.InRange(e.BirthDate, new DateOnly(1926, 1, 1), new DateOnly(1966, 7, 1)));
            Assert.All(elders.Where(e => e.Groups.HasFlag(ElderGroups.Disabled)), e => Assert.True(e.AbilityLevel >= 3));
            Assert.True(elders.Count(e => e.Status == ElderStatus.Active) > 270);
            Assert.All(elders, e => Assert.NotEmpty(e.EmergencyContacts));
            Assert.All(elders, e => Assert.Matches(@"^(1[3-9]\d{9}|0106\d{7})$", e.Phone));
            // Some households share a landline, as the hotline's caller-ID lookup must expect.
            Assert.Contains(elders.GroupBy(e => e.Phone), g => g.Count() > 1);
            return true;
        });
    }

    [Fact]
    public async Task Id_numbers_are_valid_unique_consistent_and_encrypted_at_rest()
    {
        await WithDbAsync<bool>(async (db, services) =>
        {
            var protector = services.GetRequiredService<IdNumberProtector>();
            var elders = await db.Elders.ToListAsync();
            var numbers = elders.Select(e => (Elder: e, Id: protector.Unprotect(e.IdNumberCipher))).ToList();

            Assert.All(numbers, n =>
            {
                Assert.True(ChineseIdNumber.IsValid(n.Id), $"invalid check character in {ChineseIdNumber.Mask(n.Id[^4..])}");
                Assert.StartsWith("110108", n.Id);
                Assert.Equal(n.Elder.BirthDate, ChineseIdNumber.BirthDate(n.Id));
                Assert.Equal(n.Elder.Gender, ChineseIdNumber.Gender(n.Id));
                Assert.Equal(protector.TailHash(n.Id), n.Elder.IdNumberTailHash);
                Assert.Equal(protector.LookupHash(n.Id), n.Elder.IdNumberHash);
            });
            Assert.Equal(numbers.Count, numbers.Select(n => n.Id).Distinct().Count());

            // Nothing in the stored row reveals the number.
            var connection = db.Database.GetDbConnection();
            var rows = (await connection.QueryAsync("SELECT * FROM elders")).Select(r => string.Join("|", ((IDictionary<string, object>)r).Values)).ToList();
            Assert.All(numbers, n => Assert.DoesNotContain(rows, row => row.Contains(n.Id[..14])));
            return true;
        });
    }

    [Fact]
    public async Task Family_members_are_bound_to_elders_and_staff_can_sign_in_with_the_demo_password()
    {
        await WithDbAsync<bool>(async (db, _) =>
        {
            var members = await db.FamilyMembers.Include(m => m.Bindings).ToListAsync();
            Assert.Equal(40, members.Count);
            Assert.All(members, m => Assert.Contains(m.Bindings, b => b.Status == BindingStatus.Active));
            Assert.Contains(members, m => m.Bindings.Count > 1); // a child of a registered couple acts for both

            var staff = await db.StaffAccounts.ToListAsync();
            Assert.Equal(Enum.GetValues<StaffRole>().Order(), staff.Select(s => s.Role).Distinct().Order());
            var hasher = new PasswordHasher<StaffAccount>();
            Assert.All(staff, s => Assert.NotEqual(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword(s, s.PasswordHash, ApiFactory.DemoPassword)));
            Assert.All(staff, s => Assert.Equal(PasswordVerificationResult.Failed, hasher.VerifyHashedPassword(s, s.PasswordHash, "wrong-password")));
            return true;
        });
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_people_on_another_machine()
    {
        var here = await WithDbAsync((db, services) => DemoDigest.OfAsync(db, services.GetRequiredService<IdNumberProtector>()));
        using var elsewhere = new DemoFactory();
        elsewhere.CreateClient();
        await using var scope = elsewhere.Services.CreateAsyncScope();
        var there = await DemoDigest.OfAsync(scope.ServiceProvider.GetRequiredService<EldercareDb>(), scope.ServiceProvider.GetRequiredService<IdNumberProtector>());
        Assert.Equal(here, there);
    }
}

/// <summary>A fingerprint of the demo data's content (decrypted ID numbers included, cipher text excluded: its nonce is random).</summary>
public static class DemoDigest
{
    public static async Task<string> OfAsync(EldercareDb db, IdNumberProtector protector)
    {
        var text = new StringBuilder();
        foreach (var s in await db.Stations.OrderBy(x => x.Id).ToListAsync()) text.AppendLine($"{s.Id}|{s.Code}|{s.Name}|{s.Location}");
        foreach (var c in await db.Communities.OrderBy(x => x.Id).ToListAsync()) text.AppendLine($"{c.Id}|{c.Name}|{c.StationId}|{c.Residents}|{c.Centre}");
        foreach (var e in await db.Elders.Include(x => x.EmergencyContacts).OrderBy(x => x.Id).ToListAsync())
            text.AppendLine($"{e.Id}|{e.Name}|{protector.Unprotect(e.IdNumberCipher)}|{e.Phone}|{e.SecondPhone}|{e.Address}|{e.Home}|{e.Groups}|{e.AbilityLevel}|{e.Status}|{e.UsesWeChat}|"
                + string.Join(",", e.EmergencyContacts.OrderBy(x => x.Id).Select(x => $"{x.Name}/{x.Relation}/{x.Phone}")));
        foreach (var m in await db.FamilyMembers.Include(x => x.Bindings).OrderBy(x => x.Id).ToListAsync())
            text.AppendLine($"{m.Id}|{m.Name}|{m.Phone}|" + string.Join(",", m.Bindings.OrderBy(x => x.ElderId).Select(b => $"{b.ElderId}/{b.Relation}/{b.Status}")));
        foreach (var a in await db.StaffAccounts.OrderBy(x => x.Id).ToListAsync()) text.AppendLine($"{a.Id}|{a.Username}|{a.DisplayName}|{a.Role}|{a.StationId}");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
