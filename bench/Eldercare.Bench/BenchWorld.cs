using System.Security.Cryptography;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Time;

namespace Eldercare.Bench;

/// <summary>
/// The street the booking benchmark runs on: 4 meal points with lunch for 7 days, caregiver pools, a bathing room
/// and two doctors, and a few thousand elders. Written straight into the database before the API starts.
/// </summary>
public sealed class BenchWorld
{
    public const int Elders = 4000, Days = 7, LunchPortions = 400, HotLunchPortions = 300;

    public List<int> ElderIds { get; } = [];
    public List<long> LunchSlots { get; } = [];      // (kitchen, day) lunch slots
    public long HotLunchSlot { get; private set; }     // the 09:00 burst: everybody wants today's lunch at one meal point
    public List<long> VisitSlots { get; } = [];        // cleaning, bathing and doctor slots
    public List<long> WarmUpSlots { get; } = [];       // lunches weeks ahead, room for everybody: the unmeasured warm-up books these
    public int LunchItemId { get; private set; }

    public static async Task<BenchWorld> SeedAsync(EldercareDb db)
    {
        var w = new BenchWorld();
        var street = new Street { District = "基准区", Name = "基准街道" };
        db.Streets.Add(street);
        await db.SaveChangesAsync();
        var station = new Station { StreetId = street.Id, Code = "B-01", Name = "基准驿站", Address = "一号", DutyPhone = "01000000000" };
        db.Stations.Add(station);
        await db.SaveChangesAsync();
        var community = new Community { StreetId = street.Id, StationId = station.Id, Code = "B-C1", Name = "基准社区", Residents = 20000 };
        db.Communities.Add(community);
        await db.SaveChangesAsync();

        var kitchens = Enumerable.Range(1, 4).Select(i => new ServiceResource { StationId = station.Id, Kind = ResourceKind.MealPoint, Name = $"餐桌{i}" }).ToList();
        var pool = new ServiceResource { StationId = station.Id, Kind = ResourceKind.CaregiverPool, Name = "护理员" };
        var bathing = new ServiceResource { StationId = station.Id, Kind = ResourceKind.BathingRoom, Name = "助浴间" };
        var doctors = Enumerable.Range(1, 2).Select(i => new ServiceResource { StationId = station.Id, Kind = ResourceKind.Doctor, Name = $"医生{i}" }).ToList();
        db.ServiceResources.AddRange([.. kitchens, pool, bathing, .. doctors]);
        var now = DateTime.UtcNow;
        var lunch = Item("B-LUNCH", ServiceLine.Meals, ServiceModes.AtCentre | ServiceModes.Delivery, 1500, now);
        var cleaning = Item("B-CLEAN", ServiceLine.Cleaning, ServiceModes.AtHome, 8000, now);
        var bath = Item("B-BATH", ServiceLine.Bathing, ServiceModes.AtCentre, 3000, now);
        var gp = Item("B-GP", ServiceLine.Medical, ServiceModes.AtCentre, 100, now);
        db.CatalogItems.AddRange(lunch, cleaning, bath, gp);
        await db.SaveChangesAsync();
        w.LunchItemId = lunch.Id;
        db.SubsidyRules.Add(new SubsidyRule { Name = "助餐补贴", Line = ServiceLine.Meals, EligibleGroups = ElderGroups.Aged80Plus | ElderGroups.LowIncome, Kind = SubsidyKind.FixedAmount, Amount = 500, DailyCapFen = 500, Priority = 1 });

        var today = DateOnly.FromDateTime(BusinessTime.ToBusinessTime(now));
        var slots = new List<Slot>();
        Slot Add(CatalogItem item, ServiceResource r, DateOnly day, TimeOnly start, TimeOnly end, int capacity, MealPeriod? period = null)
        {
            var slot = new Slot { CatalogItemId = item.Id, ResourceId = r.Id, Date = day, Start = start, End = end, MealPeriod = period, Capacity = capacity, CutoffAt = now.AddDays(30), Status = SlotStatus.Open };
            slots.Add(slot);
            return slot;
        }
        var hot = Add(lunch, kitchens[0], today.AddDays(-1), new(11, 0), new(13, 0), HotLunchPortions, MealPeriod.Lunch); // its own day: no elder-busy clashes with the mix
        for (var d = 1; d <= Days; d++)
        {
            var day = today.AddDays(d);
            foreach (var k in kitchens) Add(lunch, k, day, new(11, 0), new(13, 0), LunchPortions, MealPeriod.Lunch);
            foreach (var h in new[] { 8, 14 }) Add(cleaning, pool, day, new(h, 0), new(h + 2, 0), 40);
            foreach (var h in new[] { 9, 10, 15 }) Add(bath, bathing, day, new(h, 0), new(h + 1, 0), 4);
            foreach (var doctor in doctors)
                for (var m = 0; m < 180; m += 30) Add(gp, doctor, day, new TimeOnly(8, 30).AddMinutes(m), new TimeOnly(9, 0).AddMinutes(m), 6);
        }
        var warmUp = Enumerable.Range(40, Days).SelectMany(d => kitchens.Select(k => Add(lunch, k, today.AddDays(d), new(11, 0), new(13, 0), Elders, MealPeriod.Lunch))).ToList();
        db.Slots.AddRange(slots);

        var random = new Random(7);
        var elders = Enumerable.Range(0, Elders).Select(i => new Elder
        {
            Name = $"老人{i}", Gender = i % 2 == 0 ? Gender.Female : Gender.Male, BirthDate = new DateOnly(1940 + i % 25, 1 + i % 12, 1 + i % 28),
            IdNumberCipher = "v1.bench", IdNumberHash = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), IdNumberTailHash = "bench",
            CommunityId = community.Id, Groups = random.NextDouble() < 0.4 ? ElderGroups.Aged80Plus : ElderGroups.None, Phone = $"1380{i:0000000}",
            Address = "基准地址", Status = ElderStatus.Active, RegisteredAt = now,
        }).ToList();
        db.Elders.AddRange(elders);
        await db.SaveChangesAsync();

        w.ElderIds.AddRange(elders.Select(e => e.Id));
        w.HotLunchSlot = hot.Id;
        w.LunchSlots.AddRange(slots.Where(s => s.CatalogItemId == lunch.Id && s.Id != hot.Id && !warmUp.Contains(s)).Select(s => s.Id));
        w.WarmUpSlots.AddRange(warmUp.Select(s => s.Id));
        w.VisitSlots.AddRange(slots.Where(s => s.CatalogItemId != lunch.Id).Select(s => s.Id));
        return w;
    }

    private static CatalogItem Item(string code, ServiceLine line, ServiceModes modes, long price, DateTime now) => new()
    {
        Code = code, Line = line, Name = code, Detail = "", Provider = "基准", Modes = modes, DurationMinutes = 60, ListPriceFen = price, UpdatedAt = now,
    };
}
