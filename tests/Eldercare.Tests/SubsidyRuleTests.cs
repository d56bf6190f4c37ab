using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>An officer writes a subsidy rule and reads back exactly what was written; a wrong one is refused and writes nothing.</summary>
public sealed class SubsidyRuleTests(SharedApi api) : IClassFixture<SharedApi>
{
    [Fact]
    public async Task An_officer_adds_and_changes_a_rule_and_every_field_comes_back_as_written()
    {
        var s = await CreateAsync(api);
        var officer = await s.StaffClientAsync(StaffRole.Officer);
        var name = "高龄助浴补贴" + Guid.NewGuid().ToString("N")[..6];
        var rule = new
        {
            name = $"  {name} ", line = "Bathing", catalogItemId = s.Bath.Id, eligibleGroups = "LowIncome, Disabled", minAge = 80, minAbilityLevel = 2,
            kind = "Percentage", amount = 50, dailyCapFen = 3000, monthlyCapFen = 12000, priority = 7, isActive = true,
        };

        await HttpAssert.ProblemAsync(await officer.PostAsJsonAsync("/api/subsidy-rules", rule with { amount = 150 }, Json), 400, "bad-percentage");
        Assert.False(await s.WithDbAsync(db => db.SubsidyRules.AnyAsync(r => r.Name == name)));

        var created = await officer.PostAsJsonAsync("/api/subsidy-rules", rule, Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(name, body.GetProperty("name").GetString()); // trimmed
        Assert.Equal(("Bathing", s.Bath.Id, 80, 2, "Percentage", 50L, 3000L, 12000L, 7, true),
            (body.GetProperty("line").GetString(), body.GetProperty("catalogItemId").GetInt32(), body.GetProperty("minAge").GetInt32(), body.GetProperty("minAbilityLevel").GetInt32(),
             body.GetProperty("kind").GetString(), body.GetProperty("amount").GetInt64(), body.GetProperty("dailyCapFen").GetInt64(), body.GetProperty("monthlyCapFen").GetInt64(),
             body.GetProperty("priority").GetInt32(), body.GetProperty("isActive").GetBoolean()));
        Assert.Contains("LowIncome", body.GetProperty("eligibleGroups").GetString());
        var id = body.GetProperty("id").GetInt32();

        var changed = await officer.PutAsJsonAsync($"/api/subsidy-rules/{id}", rule with { amount = 30, monthlyCapFen = 9000, isActive = false }, Json);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var stored = await s.WithDbAsync(db => db.SubsidyRules.AsNoTracking().SingleAsync(r => r.Id == id));
        Assert.Equal((30L, 9000L, false, 3000L, name), (stored.Amount, stored.MonthlyCapFen, stored.IsActive, stored.DailyCapFen, stored.Name));
        var listed = (await officer.GetFromJsonAsync<JsonElement>("/api/subsidy-rules")).EnumerateArray().Single(r => r.GetProperty("id").GetInt32() == id);
        Assert.Equal((30L, false), (listed.GetProperty("amount").GetInt64(), listed.GetProperty("isActive").GetBoolean()));
    }
}
