using Dapper;
using Eldercare.Api.Data;
using Eldercare.Api.Infrastructure.Scheduling;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace Eldercare.Tests;

public sealed class SchedulerTests
{
    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task The_heartbeat_job_runs_on_the_persistent_store(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var factory = new ApiFactory(database);
        factory.CreateClient();

        var beat = await WaitForHeartbeatAsync(factory, h => h.Beats >= 1);
        Assert.Equal("system.heartbeat", beat.LastTrigger);
        await using var scope = factory.Services.CreateAsyncScope();
        var connection = scope.ServiceProvider.GetRequiredService<EldercareDb>().Database.GetDbConnection();
        var jobTable = database.IsPostgres ? "qrtz_job_details" : "QRTZ_JOB_DETAILS";
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {jobTable} WHERE job_name = 'heartbeat'"));
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_job_scheduled_before_a_restart_fires_after_it(string provider)
    {
        using var database = TestDatabase.New(provider);
        var settings = new Dictionary<string, string?> { ["Scheduler:HeartbeatInterval"] = "01:00:00" };
        var probe = new TriggerKey("restart-probe", "tests");

        using (var before = new ApiFactory(database, settings))
        {
            before.CreateClient();
            var scheduler = before.Services.GetRequiredKeyedService<IScheduler>(SchedulerSetup.Name);
            var trigger = TriggerBuilder.Create().WithIdentity(probe).ForJob(SchedulerSetup.HeartbeatJobKey)
                .StartAt(DateTimeOffset.UtcNow.AddSeconds(6)).Build();
            await scheduler.ScheduleJob(trigger);
        } // the API stops before the trigger is due

        using (var after = new ApiFactory(database, settings))
        {
            after.CreateClient();
            var beat = await WaitForHeartbeatAsync(after, h => h.LastTrigger == "tests.restart-probe");
            Assert.Equal("tests.restart-probe", beat.LastTrigger);
            var scheduler = after.Services.GetRequiredKeyedService<IScheduler>(SchedulerSetup.Name);
            // A one-off trigger is removed once its job has completed, just after the job's own write.
            var gone = false;
            for (var i = 0; i < 50 && !gone; i++)
            {
                gone = await scheduler.GetTrigger(probe) is null;
                if (!gone) await Task.Delay(100);
            }
            Assert.True(gone, "the fired one-off trigger was not removed");
        }
    }

    private static async Task<SchedulerHeartbeat> WaitForHeartbeatAsync(ApiFactory factory, Func<SchedulerHeartbeat, bool> done)
    {
        for (var i = 0; i < 300; i++)
        {
            await using (var scope = factory.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<EldercareDb>();
                var beats = await db.SchedulerHeartbeats.AsNoTracking().ToListAsync();
                if (beats.FirstOrDefault(done) is { } beat) return beat;
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException("the expected heartbeat did not happen within 30 s");
    }
}
