using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Eldercare.Tests;

/// <summary>Scale-out on one machine: two real API processes on one PostgreSQL and one Redis, as behind a load balancer.</summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_nodes_dispatch_every_reminder_exactly_once_though_one_is_killed_mid_dispatch()
    {
        using var database = TestDatabase.NewPostgres();
        List<int> elderIds;
        await using (var db = database.Open())
        {
            await db.MigrateAsync();
            elderIds = await SeedEldersAsync(db, 30);
        }
        var environment = ApiProcess.EnvironmentFor(database);
        environment["Reminders__DispatchInterval"] = "00:00:01";
        environment["Reminders__DispatchLanes"] = "4";
        environment["Reminders__BatchSize"] = "200";
        environment["Reminders__ClaimLease"] = "00:00:03";
        environment["Scheduler__ClusterCheckinInterval"] = "00:00:01";
        using var first = ApiProcess.Start(environment);
        using var second = ApiProcess.Start(environment);
        Assert.True(await first.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)), first.Output);
        Assert.True(await second.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)), second.Output);

        const int count = 6000;
        var now = DateTime.UtcNow;
        await using (var db = database.Open())
        {
            db.Reminders.AddRange(Enumerable.Range(0, count).Select(i => new Reminder
            {
                ElderId = elderIds[i % elderIds.Count], Kind = ReminderKind.BookingSoon, Text = $"提醒{i}", CreatedAt = now, DueAt = now,
            }));
            await db.SaveChangesAsync();
        }

        // Once the work is under way, the first node seen holding a claim (a batch between claim and commit) dies
        // without a chance to finish; the other node must take over.
        static string ClaimsOf(ApiProcess node) => $"%/{node.ProcessId}/%";
        ApiProcess? victim = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using (var db = database.Open())
        {
            while (victim is null)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no node held a claimed batch while the work was under way");
                if (await db.Reminders.CountAsync(r => r.Status == ReminderStatus.Sent) >= count / 10)
                    foreach (var node in new[] { first, second })
                    {
                        var claims = ClaimsOf(node);
                        if (await db.Reminders.AnyAsync(r => r.Status == ReminderStatus.Dispatching && EF.Functions.Like(r.ClaimToken!, claims)))
                        {
                            victim = node;
                            break;
                        }
                    }
                if (victim is null) await Task.Delay(5);
            }
        }
        victim.KillNow();
        var survivor = victim == first ? second : first;
        var victimClaims = ClaimsOf(victim);
        int orphaned, sentBeforeTakeover;
        await using (var db = database.Open())
        {
            orphaned = await db.Reminders.CountAsync(r => r.Status == ReminderStatus.Dispatching && EF.Functions.Like(r.ClaimToken!, victimClaims));
            sentBeforeTakeover = await db.Reminders.CountAsync(r => r.Status == ReminderStatus.Sent);
        }
        output.WriteLine($"killed after {clock.Elapsed.TotalSeconds:0.00} s with {orphaned} reminders claimed and not sent; {sentBeforeTakeover} of {count} sent by then");
        Assert.True(orphaned > 0, "the kill must land while the victim holds claimed, unsent reminders");
        Assert.InRange(sentBeforeTakeover, count / 10, count - 1); // in the middle of the work

        await using (var db = database.Open())
        {
            while (await db.Reminders.CountAsync(r => r.Status != ReminderStatus.Sent) > 0)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "the surviving node did not finish the work:\n" + survivor.Output);
                await Task.Delay(200);
            }
            var perReminder = await db.Deliveries.GroupBy(d => d.ReminderId).Select(g => g.Count()).ToListAsync();
            Assert.Equal(count, perReminder.Count);
            Assert.All(perReminder, n => Assert.Equal(1, n));
            // The victim's batch was taken over once its claim expired: claimed twice, delivered once.
            Assert.Equal(orphaned, await db.Reminders.CountAsync(r => r.Attempts == 2));
            Assert.Equal(0, await db.Reminders.CountAsync(r => r.Attempts > 2));
        }
        output.WriteLine($"all {count} dispatched exactly once after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.False(survivor.HasExited, survivor.Output);
    }

    private static async Task<List<int>> SeedEldersAsync(EldercareDb db, int count)
    {
        var street = new Street { District = "测试区", Name = "集群街道" };
        db.Streets.Add(street);
        await db.SaveChangesAsync();
        var station = new Station { StreetId = street.Id, Code = "CL-1", Name = "集群驿站", Address = "一号", DutyPhone = "01000000009" };
        db.Stations.Add(station);
        await db.SaveChangesAsync();
        var community = new Community { StreetId = street.Id, StationId = station.Id, Code = "CL-C1", Name = "集群社区", Residents = 1000 };
        db.Communities.Add(community);
        await db.SaveChangesAsync();
        var elders = Enumerable.Range(0, count).Select(n => new Elder
        {
            Name = $"集群老人{n}", Gender = Gender.Male, BirthDate = new DateOnly(1945, 1, 1), IdNumberCipher = "v1.test",
            IdNumberHash = $"cluster-{n:0000}", IdNumberTailHash = "cluster", CommunityId = community.Id, Phone = $"1390000{n:0000}",
            Address = "测试地址", Status = ElderStatus.Active, RegisteredAt = DateTime.UtcNow,
        }).ToList();
        db.Elders.AddRange(elders);
        await db.SaveChangesAsync();
        return elders.Select(e => e.Id).ToList();
    }
}
