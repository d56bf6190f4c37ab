using System.Net;
using System.Net.Http.Json;
using Eldercare.Api.Domain;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>Odd requests that once gave 500s, the headers every answer carries, and who sees which emergencies.</summary>
public sealed class HardeningTests(SharedApi api) : IClassFixture<SharedApi>
{
    [Fact]
    public async Task Answers_carry_security_headers_and_api_answers_are_never_stored()
    {
        var s = await CreateAsync(api);
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var file = await clerk.GetAsync($"/api/elders/{(await s.AddElderAsync()).Id}");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("no-store", file.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", file.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", file.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", file.Headers.GetValues("Content-Security-Policy").Single());
        // Refusals carry them too.
        var refused = await api.CreateClient().GetAsync("/api/elders/1");
        Assert.Equal("no-store", refused.Headers.CacheControl?.ToString());

        var console = await api.CreateClient().GetAsync("/console/");
        if (console.StatusCode == HttpStatusCode.OK) // built by ./eldercare.sh, as in CI
        {
            var policy = console.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("script-src 'self'", policy);
            Assert.DoesNotContain("unsafe-eval", policy);
        }
    }

    [Fact]
    public async Task A_call_id_that_is_not_printable_ascii_is_a_clear_400_and_nothing_is_logged()
    {
        var s = await CreateAsync(api);
        var hotline = await s.HotlineClientAsync();
        var call = new { callId = "呼叫-001", direction = "Inbound", number = "13800000000", path = "1", outcome = "agent", startedAt = DateTime.UtcNow, durationSeconds = 10 };
        await HttpAssert.ProblemAsync(await hotline.PostAsJsonAsync("/api/hotline/calls", call, Json), 400, "validation-failed");
        Assert.False(await s.WithDbAsync(db => db.CallRecords.AnyAsync(c => c.CallId == "呼叫-001")));
        Assert.Equal(HttpStatusCode.Created, (await hotline.PostAsJsonAsync("/api/hotline/calls", call with { callId = "abc@127.0.0.1-" + s.Tag }, Json)).StatusCode);
    }

    [Fact]
    public async Task A_session_whose_family_record_is_gone_is_told_to_log_in_again()
    {
        var s = await CreateAsync(api);
        var member = await s.AddFamilyAsync();
        var family = await s.FamilyClientAsync(member);
        await s.WithDbAsync(db => db.FamilyMembers.Where(f => f.Id == member.Id).ExecuteDeleteAsync());
        var elder = await s.AddElderAsync();
        await HttpAssert.ProblemAsync(await family.PostAsJsonAsync("/api/family-bindings",
            new { elderName = elder.Name, idLast4 = TestIds.TailOf(elder), elderPhone = elder.Phone, relation = "女儿" }), 401, "session-ended");
    }

    [Fact]
    public async Task Caregivers_see_their_own_stations_emergencies_only()
    {
        var s = await CreateAsync(api);
        var mine = await s.AddElderAsync(station: 1);
        var theirs = await s.AddElderAsync(station: 2);
        var hotline = await s.HotlineClientAsync();
        foreach (var elder in new[] { mine, theirs })
            Assert.Equal(HttpStatusCode.Created, (await hotline.PostAsJsonAsync("/api/hotline/emergencies", new { elderId = elder.Id, callId = "e-" + elder.Id })).StatusCode);
        var seen = await (await s.StaffClientAsync(StaffRole.Caregiver)).GetFromJsonAsync<List<System.Text.Json.JsonElement>>("/api/emergencies");
        Assert.Contains(seen!, e => e.GetProperty("elderId").GetInt32() == mine.Id);
        Assert.DoesNotContain(seen!, e => e.GetProperty("elderId").GetInt32() == theirs.Id);
    }
}
