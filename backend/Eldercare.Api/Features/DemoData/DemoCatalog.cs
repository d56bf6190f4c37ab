using Eldercare.Api.Data;
using Eldercare.Api.Domain;

namespace Eldercare.Api.Features.DemoData;

/// <summary>
/// The demo street's services, subsidy policies and weekly capacity. Prices are in fen; figures follow
/// Beijing practice (e.g. the ¥5-a-day meal subsidy for basic-service elders).
/// </summary>
internal static class DemoCatalog
{
    private const ElderGroups BasicServiceElders = ElderGroups.Destitute | ElderGroups.LowIncome | ElderGroups.LivingAlone | ElderGroups.Aged80Plus
        | ElderGroups.Disabled | ElderGroups.Demented | ElderGroups.LostOnlyChild | ElderGroups.SeverelyDisabled;

    public static async Task AddAsync(EldercareDb db, DateTime now, CancellationToken ct)
    {
        var items = new[]
        {
            Item("MEAL-LUNCH", ServiceLine.Meals, "午餐·普通套餐", "两荤一素一汤，米饭或馒头", ServiceModes.AtCentre | ServiceModes.PickUp | ServiceModes.Delivery, "驿站老年餐桌", 60, 1500, true),
            Item("MEAL-LUNCH-SOFT", ServiceLine.Meals, "午餐·软食套餐", "少盐少油，软烂易嚼，适合牙口不好的老人", ServiceModes.AtCentre | ServiceModes.PickUp | ServiceModes.Delivery, "驿站老年餐桌", 60, 1500, true),
            Item("MEAL-DINNER", ServiceLine.Meals, "晚餐·普通套餐", "一荤两素，粥或面", ServiceModes.AtCentre | ServiceModes.PickUp | ServiceModes.Delivery, "驿站老年餐桌", 60, 1200, true),
            Item("BATH-ROOM", ServiceLine.Bathing, "助浴间洗浴", "在驿站助浴间洗浴，护理员协助，约1小时", ServiceModes.AtCentre, "学院路第一养老服务驿站", 60, 3000, false, maxAbility: 3),
            Item("BATH-HOME", ServiceLine.Bathing, "上门助浴", "两名护理员带充气浴缸上门，约90分钟", ServiceModes.AtHome, "学院路上门助浴队", 90, 12000, false,
                groups: ElderGroups.Disabled | ElderGroups.SeverelyDisabled | ElderGroups.Demented | ElderGroups.Aged80Plus, minAbility: 1),
            Item("CLEAN-2H", ServiceLine.Cleaning, "居家保洁2小时", "打扫卧室、厨房和卫生间，整理衣物", ServiceModes.AtHome, "驿站护理员", 120, 8000, false),
            Item("MED-GP", ServiceLine.Medical, "全科门诊号", "社区卫生服务站全科门诊，按号就诊", ServiceModes.AtCentre, "学院路社区卫生服务站", 30, 100, true),
            Item("MED-ESCORT", ServiceLine.Medical, "陪同就医", "护理员陪同去医院挂号、就诊、取药，半天", ServiceModes.AtHome, "驿站护理员", 240, 10000, false),
            Item("MED-HOME-VISIT", ServiceLine.Medical, "家庭医生上门", "签约家庭医生上门问诊、测血压血糖", ServiceModes.AtHome, "学院路社区卫生服务站", 60, 5000, true, minAbility: 2),
        };
        db.CatalogItems.AddRange(items);
        await db.SaveChangesAsync(ct);
        db.CatalogItemVersions.AddRange(items.Select(i => i.Snapshot(now, "demo")));
        var code = items.ToDictionary(i => i.Code);

        db.SubsidyRules.AddRange(
            new SubsidyRule { Name = "基本养老服务对象助餐补贴（每天5元）", Line = ServiceLine.Meals, EligibleGroups = BasicServiceElders, Kind = SubsidyKind.FixedAmount, Amount = 500, DailyCapFen = 500, Priority = 10 },
            new SubsidyRule { Name = "特困老人助浴全额补贴", Line = ServiceLine.Bathing, EligibleGroups = ElderGroups.Destitute, Kind = SubsidyKind.Percentage, Amount = 100, MonthlyCapFen = 24000, Priority = 10 },
            new SubsidyRule { Name = "失能老人助浴补贴（五折）", Line = ServiceLine.Bathing, EligibleGroups = ElderGroups.Disabled | ElderGroups.SeverelyDisabled, Kind = SubsidyKind.Percentage, Amount = 50, MonthlyCapFen = 12000, Priority = 20 },
            new SubsidyRule { Name = "低保低收入助洁补贴（每次60元）", Line = ServiceLine.Cleaning, EligibleGroups = ElderGroups.LowIncome | ElderGroups.Destitute, Kind = SubsidyKind.FixedAmount, Amount = 6000, MonthlyCapFen = 24000, Priority = 10 },
            new SubsidyRule { Name = "高龄老人陪诊补贴（五折）", CatalogItemId = code["MED-ESCORT"].Id, EligibleGroups = ElderGroups.Aged80Plus, Kind = SubsidyKind.Percentage, Amount = 50, MonthlyCapFen = 10000, Priority = 10 });

        var resources = db.ServiceResources.Local.ToList();
        var templates = new List<SlotTemplate>();
        var everyDay = Enum.GetValues<DayOfWeek>();
        var weekdays = everyDay.Where(d => d is not DayOfWeek.Saturday and not DayOfWeek.Sunday).ToArray();
        var exceptSunday = everyDay.Where(d => d != DayOfWeek.Sunday).ToArray();

        foreach (var kitchen in resources.Where(r => r.Kind == ResourceKind.MealPoint))
        {
            templates.AddRange(Weekly(everyDay, code["MEAL-LUNCH"], kitchen, 11, 0, 13, 0, 60, 0, 9, 30, MealPeriod.Lunch));
            templates.AddRange(Weekly(everyDay, code["MEAL-LUNCH-SOFT"], kitchen, 11, 0, 13, 0, 15, 0, 9, 30, MealPeriod.Lunch));
            templates.AddRange(Weekly(everyDay, code["MEAL-DINNER"], kitchen, 17, 0, 18, 30, 40, 0, 15, 0, MealPeriod.Dinner));
        }
        var bathingRoom = resources.Single(r => r.Kind == ResourceKind.BathingRoom);
        foreach (var hour in new[] { 9, 10, 14, 15 })
            templates.AddRange(Weekly(exceptSunday, code["BATH-ROOM"], bathingRoom, hour, 0, hour + 1, 0, 1, 1, 17, 0));
        var bathingTeam = resources.Single(r => r.Kind == ResourceKind.HomeBathingTeam);
        templates.AddRange(Weekly(weekdays, code["BATH-HOME"], bathingTeam, 9, 0, 10, 30, 1, 1, 17, 0));
        templates.AddRange(Weekly(weekdays, code["BATH-HOME"], bathingTeam, 14, 0, 15, 30, 1, 1, 17, 0));
        foreach (var pool in resources.Where(r => r.Kind == ResourceKind.CaregiverPool))
        {
            foreach (var (h, m) in new[] { (8, 30), (10, 30), (14, 0) })
                templates.AddRange(Weekly(exceptSunday, code["CLEAN-2H"], pool, h, m, h + 2, m, 2, 1, 18, 0));
            templates.AddRange(Weekly(weekdays, code["MED-ESCORT"], pool, 8, 0, 12, 0, 1, 1, 18, 0));
        }
        var doctors = resources.Where(r => r.Kind == ResourceKind.Doctor).ToList();
        foreach (var doctor in doctors)
            for (var start = new TimeOnly(8, 30); start < new TimeOnly(11, 30); start = start.AddMinutes(30))
                templates.AddRange(Weekly(weekdays, code["MED-GP"], doctor, start.Hour, start.Minute, start.AddMinutes(30).Hour, start.AddMinutes(30).Minute, 2, 0, 7, 30));
        templates.AddRange(Weekly([DayOfWeek.Tuesday, DayOfWeek.Thursday], code["MED-HOME-VISIT"], doctors[^1], 14, 0, 15, 0, 1, 1, 17, 0));
        db.SlotTemplates.AddRange(templates);
    }

    private static IEnumerable<SlotTemplate> Weekly(IEnumerable<DayOfWeek> days, CatalogItem item, ServiceResource resource,
        int startHour, int startMinute, int endHour, int endMinute, int capacity, int cutoffDaysBefore, int cutoffHour, int cutoffMinute, MealPeriod? period = null) =>
        days.Select(d => new SlotTemplate
        {
            CatalogItemId = item.Id, ResourceId = resource.Id, Weekday = d, Start = new TimeOnly(startHour, startMinute), End = new TimeOnly(endHour, endMinute),
            MealPeriod = period, Capacity = capacity, CutoffDaysBefore = cutoffDaysBefore, CutoffTime = new TimeOnly(cutoffHour, cutoffMinute),
        });

    private static CatalogItem Item(string code, ServiceLine line, string name, string detail, ServiceModes modes, string provider, int minutes, long priceFen,
        bool basic, ElderGroups groups = ElderGroups.None, int minAbility = 0, int maxAbility = 4) => new()
    {
        Code = code, Line = line, Name = name, Detail = detail, Modes = modes, Provider = provider, DurationMinutes = minutes, ListPriceFen = priceFen,
        IsBasic = basic, EligibleGroups = groups, MinAbilityLevel = minAbility, MaxAbilityLevel = maxAbility, MinAge = 60, UpdatedAt = new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc),
    };
}
