using System.Globalization;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Catalog;
using Eldercare.Api.Infrastructure.PersonalData;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.DemoData;

/// <summary>
/// Loads one demo street (27 communities, 3 stations, meal points, bathing, a health station, 12 caregivers,
/// about 300 elders, 40 family members, one staff account per role, and the catalogue with its subsidies and
/// weekly capacity) generated from a seed, so every
/// machine gets the same people. Names, phones and addresses are invented; ID numbers have the right
/// shape and check character but belong to nobody.
/// </summary>
public sealed class DemoDataLoader(EldercareDb db, IdNumberProtector idNumbers, SlotGenerator slots, IOptions<DemoDataOptions> options, ILogger<DemoDataLoader> log)
{
    public const int ElderCount = 300, FamilyMemberCount = 40, CaregiverCount = 12;

    /// <summary>Ages are worked out as of this date so the data does not change as the calendar moves.</summary>
    private static readonly DateOnly AsOf = new(2026, 7, 1);
    private static readonly DateTime RegisteredFrom = new(2024, 3, 1, 1, 0, 0, DateTimeKind.Utc);

    private Random _random = new(0);

    public Task<bool> IsLoadedAsync(CancellationToken ct = default) => db.Streets.AnyAsync(ct);

    public async Task LoadAsync(CancellationToken ct = default)
    {
        var password = options.Value.StaffPassword;
        if (string.IsNullOrEmpty(password))
            throw new InvalidOperationException("DemoData:StaffPassword must be set to load demo data.");

        _random = new Random(options.Value.Seed);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var street = new Street { District = DemoStreet.District, Name = DemoStreet.Street };
        db.Streets.Add(street);
        await db.SaveChangesAsync(ct);

        var stations = AddStations(street);
        await db.SaveChangesAsync(ct);
        var communities = AddCommunities(street, stations);
        var venues = AddVenues(stations, communities);
        await db.SaveChangesAsync(ct);
        AddResources(stations, venues);
        var caregivers = AddCaregivers(stations);
        await db.SaveChangesAsync(ct);
        await DemoCatalog.AddAsync(db, RegisteredFrom, ct);
        await db.SaveChangesAsync(ct);
        var elders = AddElders(communities);
        await db.SaveChangesAsync(ct);
        AddFamilies(elders);
        AddStaff(stations, caregivers, password);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        await slots.GenerateAheadAsync(ct);
        log.LogInformation("Demo data loaded: {Communities} communities, {Elders} elders, {Families} family members",
            communities.Count, elders.Count, FamilyMemberCount);
    }

    /// <summary>Deletes every row of the hub's own tables (the scheduler's are left alone) and loads the demo street again.</summary>
    public async Task ResetAsync(CancellationToken ct = default)
    {
        var tables = TablesChildrenFirst(db.Model).Where(t => t != "scheduler_heartbeats").ToList();
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            if (db.Database.IsNpgsql())
            {
                #pragma warning disable EF1002 // table names come from the EF model, not from input
                await db.Database.ExecuteSqlRawAsync($"TRUNCATE {string.Join(", ", tables)} RESTART IDENTITY CASCADE", ct);
            }
            else
            {
                foreach (var table in tables) await db.Database.ExecuteSqlRawAsync($"DELETE FROM {table}", ct);
                await db.Database.ExecuteSqlRawAsync("DELETE FROM sqlite_sequence", ct);
#pragma warning restore EF1002
            }
            await tx.CommitAsync(ct);
        }
        db.ChangeTracker.Clear();
        await LoadAsync(ct);
    }

    /// <summary>Tables ordered so that each comes before the tables it references (safe deletion order).</summary>
    internal static IEnumerable<string> TablesChildrenFirst(IModel model)
    {
        var entities = model.GetEntityTypes().Where(e => e.GetTableName() is not null && !e.IsOwned()).ToList();
        var done = new HashSet<IEntityType>();
        var order = new List<string>();
        void Visit(IEntityType entity)
        {
            if (!done.Add(entity)) return;
            foreach (var dependent in entities.Where(e => e.GetForeignKeys().Any(fk => fk.PrincipalEntityType == entity && e != entity)))
                Visit(dependent);
            order.Add(entity.GetTableName()!);
        }
        foreach (var entity in entities) Visit(entity);
        return order;
    }

    private List<Station> AddStations(Street street)
    {
        var stations = DemoStreet.Stations.Select((s, i) => new Station
        {
            StreetId = street.Id,
            Code = $"XYL-{i + 1:00}",
            Name = s.Name,
            Address = s.Address,
            DutyPhone = s.DutyPhone,
            Location = GridPoint(i * 9 + 4),
        }).ToList();
        db.Stations.AddRange(stations);
        return stations;
    }

    private List<Community> AddCommunities(Street street, List<Station> stations)
    {
        // Nine neighbouring communities make up each station's responsibility zone.
        var communities = DemoStreet.Communities.Select((name, i) => new Community
        {
            StreetId = street.Id,
            StationId = stations[i / 9].Id,
            Code = $"XYL-C{i + 1:00}",
            Name = name,
            Centre = GridPoint(i),
            Residents = 4000 + _random.Next(0, 9000),
        }).ToList();
        db.Communities.AddRange(communities);
        return communities;
    }

    private List<Venue> AddVenues(List<Station> stations, List<Community> communities)
    {
        var venues = DemoStreet.MealPoints.Select(m => new Venue
        {
            StationId = stations[m.Station].Id,
            Kind = VenueKind.MealPoint,
            Name = m.Name,
            Address = $"{communities[m.Community].Name}活动中心一层",
            Location = Near(communities[m.Community].Centre, 80),
        }).ToList();
        venues.Add(new Venue { StationId = stations[0].Id, Kind = VenueKind.BathingRoom, Name = "学院路第一驿站助浴间", Address = stations[0].Address, Location = stations[0].Location });
        venues.Add(new Venue { StationId = stations[1].Id, Kind = VenueKind.HealthStation, Name = "学院路社区卫生服务站", Address = "学院路35号院门诊楼", Location = Near(stations[1].Location, 150) });
        db.Venues.AddRange(venues);
        return venues;
    }

    private void AddResources(List<Station> stations, List<Venue> venues)
    {
        var bathingRoom = venues.Single(v => v.Kind == VenueKind.BathingRoom);
        var healthStation = venues.Single(v => v.Kind == VenueKind.HealthStation);
        db.ServiceResources.AddRange(
            new ServiceResource { StationId = stations[0].Id, VenueId = bathingRoom.Id, Kind = ResourceKind.BathingRoom, Name = "助浴间", Detail = "配有扶手、洗浴椅和紧急呼叫按钮" },
            new ServiceResource { StationId = stations[0].Id, Kind = ResourceKind.HomeBathingTeam, Name = "上门助浴队", Detail = "两名护理员，携带充气浴缸，约90分钟" },
            new ServiceResource { StationId = stations[1].Id, VenueId = healthStation.Id, Kind = ResourceKind.Doctor, Name = "王立新 医生", Detail = "全科，家庭医生签约" },
            new ServiceResource { StationId = stations[1].Id, VenueId = healthStation.Id, Kind = ResourceKind.Doctor, Name = "刘敏 医生", Detail = "全科，慢病管理" });
        db.ServiceResources.AddRange(stations.Select(s => new ServiceResource { StationId = s.Id, Kind = ResourceKind.CaregiverPool, Name = $"{s.Name}护理员", Detail = "助洁、陪诊、探访" }));
        db.ServiceResources.AddRange(venues.Where(v => v.Kind == VenueKind.MealPoint).Select(v => new ServiceResource { StationId = v.StationId, VenueId = v.Id, Kind = ResourceKind.MealPoint, Name = v.Name, Detail = "午餐、晚餐" }));
    }

    private List<Caregiver> AddCaregivers(List<Station> stations)
    {
        var caregivers = Enumerable.Range(0, CaregiverCount).Select(i => new Caregiver
        {
            StationId = stations[i % stations.Count].Id,
            Name = Pick(DemoStreet.Surnames) + Pick(DemoStreet.YoungerNames),
            Phone = MobilePhone(),
            CanBathe = i < 6,
        }).ToList();
        db.Caregivers.AddRange(caregivers);
        return caregivers;
    }

    private List<Elder> AddElders(List<Community> communities)
    {
        var usedIdNumbers = new HashSet<string>();
        var elders = new List<Elder>();
        while (elders.Count < ElderCount)
        {
            var community = communities[_random.Next(communities.Count)];
            var first = NewElder(community, usedIdNumbers, household: null);
            elders.Add(first);
            // About one elder in five lives with a spouse who is also registered; they share the landline.
            if (elders.Count < ElderCount && _random.NextDouble() < 0.2)
                elders.Add(NewElder(community, usedIdNumbers, household: first));
        }
        db.Elders.AddRange(elders);
        return elders;
    }

    private Elder NewElder(Community community, HashSet<string> usedIdNumbers, Elder? household)
    {
        var gender = household is null ? (_random.NextDouble() < 0.55 ? Gender.Female : Gender.Male)
                                       : (household.Gender == Gender.Male ? Gender.Female : Gender.Male);
        var age = household is null ? Age() : Math.Clamp(ElderRules.AgeOn(household.BirthDate, AsOf) + _random.Next(-4, 5), 60, 99);
        var birth = AsOf.AddYears(-age).AddDays(-_random.Next(1, 365));
        var idNumber = IdNumber(birth, gender, usedIdNumbers);

        var groups = ElderGroups.None;
        if (age >= 80) groups |= ElderGroups.Aged80Plus;
        if (household is null && _random.NextDouble() < 0.22) groups |= ElderGroups.LivingAlone;
        else if (_random.NextDouble() < 0.45) groups |= ElderGroups.EmptyNest;
        if (_random.NextDouble() < 0.04) groups |= ElderGroups.Destitute;
        else if (_random.NextDouble() < 0.10) groups |= ElderGroups.LowIncome;
        if (_random.NextDouble() < (age >= 80 ? 0.25 : 0.06)) groups |= ElderGroups.Disabled;
        if (_random.NextDouble() < (age >= 80 ? 0.12 : 0.03)) groups |= ElderGroups.Demented;
        if (_random.NextDouble() < 0.02) groups |= ElderGroups.LostOnlyChild;
        if (groups.HasFlag(ElderGroups.Disabled) && _random.NextDouble() < 0.2) groups |= ElderGroups.SeverelyDisabled;

        var ability = groups.HasFlag(ElderGroups.SeverelyDisabled) ? 4
            : groups.HasFlag(ElderGroups.Disabled) ? _random.Next(3, 5)
            : groups.HasFlag(ElderGroups.Demented) ? _random.Next(2, 5)
            : age >= 85 ? _random.Next(1, 3)
            : age >= 75 ? _random.Next(0, 2)
            : _random.NextDouble() < 0.85 ? 0 : 1;

        var status = _random.NextDouble() switch { < 0.03 => ElderStatus.InHospital, < 0.045 => ElderStatus.Away, < 0.05 => ElderStatus.Deceased, _ => ElderStatus.Active };
        var wechatChance = groups.HasFlag(ElderGroups.Demented) ? 0 : age < 75 ? 0.75 : age < 85 ? 0.45 : 0.15;
        var surname = household is not null && _random.NextDouble() < 0.1 ? household.Name[..1] : Pick(DemoStreet.Surnames);
        var home = household?.Home ?? Near(community.Centre, 300);
        var landline = household?.SecondPhone ?? (_random.NextDouble() < 0.5 ? "0106" + Digits(7) : null);

        var elder = new Elder
        {
            Name = surname + Pick(gender == Gender.Male ? DemoStreet.ElderMaleNames : DemoStreet.ElderFemaleNames),
            Gender = gender,
            BirthDate = birth,
            IdNumberCipher = idNumbers.Protect(idNumber),
            IdNumberHash = idNumbers.LookupHash(idNumber),
            IdNumberTailHash = idNumbers.TailHash(idNumber),
            CommunityId = community.Id,
            Groups = groups,
            AbilityLevel = ability,
            // Elders without a mobile are reached on the household's landline, so spouses share a number.
            Phone = _random.NextDouble() < 0.7 ? MobilePhone() : landline ?? MobilePhone(),
            SecondPhone = landline,
            Address = household?.Address ?? $"{community.Name}{_random.Next(1, 25)}号楼{_random.Next(1, 6)}单元{_random.Next(1, 7)}0{_random.Next(1, 5)}室",
            Home = home,
            UsesWeChat = _random.NextDouble() < wechatChance,
            Status = status,
            RegisteredAt = RegisteredFrom.AddDays(_random.Next(0, 800)).AddMinutes(_random.Next(0, 600)),
        };
        var contactName = elder.Name[..1] + Pick(DemoStreet.YoungerNames);
        elder.EmergencyContacts.Add(new EmergencyContact { Name = contactName, Relation = Pick(DemoStreet.ChildRelations), Phone = MobilePhone() });
        if (_random.NextDouble() < 0.3)
            elder.EmergencyContacts.Add(new EmergencyContact { Name = Pick(DemoStreet.Surnames) + Pick(DemoStreet.YoungerNames), Relation = "邻居", Phone = MobilePhone() });
        return elder;
    }

    private void AddFamilies(List<Elder> elders)
    {
        // Family members are children of elders who can still be reached; a child of a couple is bound to both.
        var candidates = elders.Where(e => e.Status != ElderStatus.Deceased).OrderBy(_ => _random.Next()).ToList();
        for (var i = 0; i < FamilyMemberCount; i++)
        {
            var elder = candidates[i];
            var contact = elder.EmergencyContacts[0];
            var member = new FamilyMember { Name = contact.Name, Phone = contact.Phone };
            var boundTo = new List<Elder> { elder };
            boundTo.AddRange(elders.Where(e => e != elder && e.SecondPhone is not null && e.SecondPhone == elder.SecondPhone && e.Address == elder.Address));
            foreach (var bound in boundTo)
            {
                member.Bindings.Add(new FamilyBinding
                {
                    ElderId = bound.Id,
                    Relation = contact.Relation,
                    Status = BindingStatus.Active,
                    RequestedAt = bound.RegisteredAt.AddDays(1),
                    ConfirmedAt = bound.RegisteredAt.AddDays(1).AddHours(2),
                });
            }
            db.FamilyMembers.Add(member);
        }
    }

    private void AddStaff(List<Station> stations, List<Caregiver> caregivers, string password)
    {
        var hasher = new PasswordHasher<StaffAccount>();
        var created = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        var accounts = new List<StaffAccount>();
        for (var i = 0; i < stations.Count; i++)
        {
            accounts.Add(new StaffAccount { Username = $"clerk{i + 1}", DisplayName = $"{stations[i].Name[3..5]}窗口{Pick(DemoStreet.Surnames)}老师", Role = StaffRole.Clerk, StationId = stations[i].Id, PasswordHash = "", CreatedAt = created });
            accounts.Add(new StaffAccount { Username = $"manager{i + 1}", DisplayName = $"{stations[i].Name[3..5]}站长{Pick(DemoStreet.Surnames)}", Role = StaffRole.StationManager, StationId = stations[i].Id, PasswordHash = "", CreatedAt = created });
        }
        accounts.Add(new StaffAccount { Username = "caregiver1", DisplayName = caregivers[0].Name, Role = StaffRole.Caregiver, StationId = caregivers[0].StationId, CaregiverId = caregivers[0].Id, PasswordHash = "", CreatedAt = created });
        accounts.Add(new StaffAccount { Username = "officer1", DisplayName = "街道民政科" + Pick(DemoStreet.Surnames) + "科长", Role = StaffRole.Officer, PasswordHash = "", CreatedAt = created });
        accounts.Add(new StaffAccount { Username = "hotline1", DisplayName = "热线坐席" + Pick(DemoStreet.Surnames) + Pick(DemoStreet.YoungerNames), Role = StaffRole.HotlineAgent, PasswordHash = "", CreatedAt = created });
        foreach (var account in accounts) account.PasswordHash = hasher.HashPassword(account, password);
        db.StaffAccounts.AddRange(accounts);
    }

    private int Age() => _random.NextDouble() switch
    {
        < 0.35 => _random.Next(60, 70),
        < 0.70 => _random.Next(70, 80),
        < 0.93 => _random.Next(80, 90),
        _ => _random.Next(90, 100),
    };

    private string IdNumber(DateOnly birth, Gender gender, HashSet<string> used)
    {
        while (true)
        {
            var sequence = _random.Next(0, 500) * 2 + (gender == Gender.Male ? 1 : 0); // odd for men, even for women
            var first17 = DemoStreet.RegionCode + birth.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + sequence.ToString("000", CultureInfo.InvariantCulture);
            var id = first17 + ChineseIdNumber.CheckCharacter(first17);
            if (used.Add(id)) return id;
        }
    }

    private string MobilePhone() => Pick(DemoStreet.MobilePrefixes) + Digits(8);

    private string Digits(int count) => string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + _random.Next(10))));

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private static GeoPoint GridPoint(int index) =>
        new(Math.Round(DemoStreet.OriginLat + index / 6 * 0.0032, 6), Math.Round(DemoStreet.OriginLng + index % 6 * 0.0041, 6));

    /// <summary>A point within about <paramref name="metres"/> of <paramref name="centre"/>.</summary>
    private GeoPoint Near(GeoPoint centre, double metres)
    {
        var dLat = (_random.NextDouble() * 2 - 1) * metres / 111_000;
        var dLng = (_random.NextDouble() * 2 - 1) * metres / (111_000 * Math.Cos(centre.Latitude * Math.PI / 180));
        return new GeoPoint(Math.Round(centre.Latitude + dLat, 6), Math.Round(centre.Longitude + dLng, 6));
    }
}
