using System.Diagnostics;
using Quartz;

namespace Eldercare.Api.Features.Reminders;

/// <summary>
/// One dispatch lane: every few seconds, dispatches batches of due reminders while there are any. Each lane is its own
/// Quartz job, so with clustering the lanes run on whichever nodes are alive, several at once.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ReminderDispatchJob(ReminderDispatcher dispatcher) : IJob
{
    public const string Group = "reminders";

    /// <summary>A lane hands itself back to the scheduler after this long, so a restart or a shutdown never waits on a long backlog.</summary>
    private static readonly TimeSpan MaxRun = TimeSpan.FromSeconds(30);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        var running = Stopwatch.StartNew();
        while (!ct.IsCancellationRequested && running.Elapsed < MaxRun && await dispatcher.DispatchBatchAsync(ct) > 0) { }
    }
}
