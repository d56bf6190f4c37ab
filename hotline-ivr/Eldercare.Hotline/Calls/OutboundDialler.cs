using System.Collections.Concurrent;
using Eldercare.Hotline.Backend;
using Eldercare.Hotline.Telephony;

namespace Eldercare.Hotline.Calls;

/// <summary>
/// Makes the calls the hub queues (the reminders engine turns check-in calls and reminders for elders without WeChat
/// into deliveries on the phone channel): it looks at the queue every <see cref="HotlineOptions.QueuePoll"/> during
/// calling hours, dials the oldest calls on the free outbound lines, lets each ring <see cref="HotlineOptions.RingTimeout"/>,
/// runs <see cref="OutboundCallFlow"/> when answered and reports the outcome. The hub does the rest: a call that did
/// not get through is queued again for later; after the last try a check-in is escalated to family and station, and
/// a reminder becomes a station task.
/// </summary>
public sealed class OutboundDialler(IDialler lines, HotlineBackend backend, HotlineOptions options, TimeProvider clock, ILogger log)
{
    /// <summary>The calls in progress, by delivery: a delivery still queued while its call goes on is not called twice.</summary>
    private readonly ConcurrentDictionary<long, Task> _calling = new();

    private const int MaxBackOff = 16;
    private int _backOff = 1;
    private int _skip;

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.QueuePoll, clock);
        try
        {
            do
            {
                if (_skip > 0) { _skip--; continue; }
                try
                {
                    await StartQueuedCallsAsync(ct);
                    _backOff = 1;
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Whatever the API does, the dialler keeps going; while it is down the queue is read less often.
                    _backOff = Math.Min(_backOff * 2, MaxBackOff);
                    log.LogWarning("The call queue could not be read (next look in {Polls} polls): {Reason}", _backOff, e.Message);
                    _skip = _backOff;
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await IdleAsync();
    }

    /// <summary>
    /// Starts calls for the oldest queued deliveries not already being called, as many as there are free lines (so
    /// nothing waits for a line past the calling hours); returns how many were started (none outside calling hours).
    /// </summary>
    public async Task<int> StartQueuedCallsAsync(CancellationToken ct)
    {
        var now = TimeOnly.FromDateTime(ChineseWords.BeijingNow(clock));
        if (now < options.CallsFrom || now >= options.CallsUntil) return 0;
        var free = options.OutboundLines - _calling.Count;
        if (free <= 0) return 0;
        var started = 0;
        foreach (var queued in await backend.CallQueueAsync(Math.Min(500, options.OutboundLines + _calling.Count), ct))
        {
            if (started == free) break;
            if (_calling.ContainsKey(queued.Id)) continue;
            // Never ring an elder who is on the phone with the hotline right now: the call waits for the next look.
            if (queued.Phone is { Length: > 0 } phone && lines.IsOnCall(phone)) continue;
            var listed = new TaskCompletionSource();
            _calling[queued.Id] = Task.Run(async () =>
            {
                await listed.Task; // so that it leaves the list only after it is on it
                try { await CallAsync(queued, ct); }
                catch (Exception e) when (e is not OperationCanceledException) { log.LogError(e, "The call for delivery {DeliveryId} failed", queued.Id); }
                finally { _calling.TryRemove(queued.Id, out _); }
            }, CancellationToken.None);
            listed.SetResult();
            started++;
        }
        return started;
    }

    /// <summary>Completes when every call started so far has finished and been reported.</summary>
    public Task IdleAsync() => Task.WhenAll(_calling.Values).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    private async Task CallAsync(QueuedCall queued, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(queued.Phone))
        {
            await ReportAsync(queued, false, "没有电话号码");
            return;
        }
        var started = clock.GetUtcNow();
        var dialled = await lines.DialAsync(string.Format(options.OutboundRoute, queued.Phone), queued.Phone, options.RingTimeout, ct);
        if (dialled.Answered is not { } call)
        {
            await backend.RecordCallAsync(new CallLogEntry(Guid.NewGuid().ToString("N"), "Outbound", queued.Phone, queued.ElderId, "",
                $"not-answered:{dialled.Failure}", started.UtcDateTime, (int)(clock.GetUtcNow() - started).TotalSeconds), log);
            await ReportAsync(queued, false, dialled.Failure);
            return;
        }
        var (delivered, why) = await new OutboundCallFlow(call, queued, backend, options, clock, log).RunAsync(ct);
        if (!call.Ended) await call.HangUpAsync(ct);
        await ReportAsync(queued, delivered, why);
    }

    /// <summary>Tells the hub how the call went, a few times if it cannot be reached: an unreported call would be made again.</summary>
    private async Task ReportAsync(QueuedCall queued, bool delivered, string? why)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await backend.ReportCallAsync(queued.Id, delivered, why, CancellationToken.None);
                return;
            }
            catch (BackendRefusal e) when (e.Type is "delivery-closed" or "delivery-waiting")
            {
                return; // staff closed it meanwhile, or an earlier attempt of this report got through
            }
            catch (Exception e) when ((e is BackendRefusal or BackendUnavailable) && attempt < 3)
            {
                log.LogWarning("The outcome of call {DeliveryId} could not be reported (try {Attempt}): {Reason}", queued.Id, attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2 * attempt), clock);
            }
        }
    }
}
