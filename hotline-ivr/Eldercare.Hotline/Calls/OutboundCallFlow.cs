using Eldercare.Hotline.Backend;
using Eldercare.Hotline.Telephony;

namespace Eldercare.Hotline.Calls;

/// <summary>
/// An answered call out to an elder: the daily check-in call ("一切安好请按1"), a reminder read after the greeting, or
/// the call back to an elder who asked for a person and found nobody (read, then straight to a person); or to one of
/// an elder's emergency contacts, told of the emergency and asked to press 1 to confirm they have it. The elder
/// answers with a key: 1 (all is well, or heard), * to hear it again, 0 for a person (<see cref="PersonChain"/>; in a
/// check-in call the station is also given a task, since "0 需要帮助" is a call for help). A call counts as delivered
/// only when the elder pressed a key (or, for a call back, picked up); silence until
/// <see cref="HotlineOptions.MaxFailures"/> tries, or hanging up without a key, is reported as not delivered, so the
/// hub tries again or escalates.
/// </summary>
public sealed class OutboundCallFlow(ICall call, QueuedCall queued, HotlineBackend backend, HotlineOptions options, TimeProvider clock, ILogger log)
{
    private readonly Prompts _say = options.Prompts;
    private readonly PersonChain _people = new(backend, options, clock, log);

    /// <summary>The keys pressed and how the call ended, for the call log.</summary>
    public List<string> Path { get; } = [];

    /// <summary>Runs the call; returns whether it reached the elder and, if not, why (for the staff who follow up).</summary>
    public async Task<(bool Delivered, string? Why)> RunAsync(CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        var (delivered, why) = (false, (string?)null);
        using var correlated = HotlineBackend.ForCall(call.Id);
        try
        {
            (delivered, why) = await TalkAsync(ct);
        }
        finally
        {
            await backend.RecordCallAsync(new CallLogEntry(call.Id, "Outbound", call.CallerNumber, queued.ElderId, string.Join(",", Path),
                delivered ? string.Join(",", Path.Where(p => p.StartsWith("person:", StringComparison.Ordinal) || p is "no-person" or "callback").Prepend("answered"))
                    : $"not-delivered:{why}",
                started.UtcDateTime, (int)(clock.GetUtcNow() - started).TotalSeconds), log);
        }
        return (delivered, why);
    }

    private async Task<(bool, string?)> TalkAsync(CancellationToken ct)
    {
        // An emergency contact asking for a person is not the elder asking: no help request in the elder's name.
        var caller = new PersonChain.Caller(queued.Kind == "Emergency" ? null : queued.ElderId, null);
        if (queued.Kind == "CallBack")
        {
            await call.SayAsync(_say.Greeting + queued.Text, ct);
            if (call.Ended) return (false, "接通后挂断");
            await _people.ReachAsync(call, caller, "CallOut", emergency: false, Path, ct, announced: true, callingBack: true);
            return (true, null);
        }
        if (queued.Kind == "VisitConfirmation" && queued.BookingId is { } visited) return await ConfirmVisitAsync(visited, ct);
        var message = queued.Kind switch
        {
            "CheckInCall" => queued.Text,
            "Emergency" => _say.Greeting + queued.Text + _say.EmergencyContactKeys, // to one of the elder's emergency contacts
            _ => _say.Greeting + queued.Text + _say.ReminderKeys,
        };
        var (prefix, failures) = ("", 0);
        while (true)
        {
            await call.SayAsync(prefix + message, ct);
            var key = await call.ReadKeyAsync(options.KeyTimeout, ct);
            Path.Add(key?.ToString() ?? (call.Ended ? "hung-up" : "timeout"));
            switch (key)
            {
                case '1':
                    await call.SayAsync(_say.CallOutGoodbye, ct);
                    return (true, null);
                case '0':
                    await _people.ReachAsync(call, caller, queued.Kind == "CheckInCall" ? "CheckIn" : "CallOut", emergency: false, Path, ct);
                    return (true, null);
                case '9' when queued.Kind == "CheckInCall":
                    await _people.EmergencyAsync(call, new PersonChain.Caller(queued.ElderId, null), "CheckIn", Path, ct);
                    return (true, null);
                case '*':
                    prefix = "";
                    continue;
            }
            if (call.Ended) return (false, "接通后挂断，没有按键");
            if (++failures >= options.MaxFailures)
            {
                await call.SayAsync(_say.CallOutNoKey, ct);
                return (false, "接通但没有按键");
            }
            prefix = key is null ? _say.NoKey : _say.WrongKey;
        }
    }

    /// <summary>
    /// After a home visit: "护理员王芳刚才为您上门保洁，如果服务已经完成，请按1；没有完成，请按2；转人工，请按0". 1 then asks
    /// for a rating (1-5, or none); 2 tells the station, which follows up. Either answer is sent to the hub.
    /// </summary>
    private async Task<(bool, string?)> ConfirmVisitAsync(long bookingId, CancellationToken ct)
    {
        var (prefix, failures) = ("", 0);
        while (true)
        {
            await call.SayAsync(prefix + _say.Greeting + queued.Text + _say.VisitConfirmKeys, ct);
            var key = await call.ReadKeyAsync(options.KeyTimeout, ct);
            Path.Add(key?.ToString() ?? (call.Ended ? "hung-up" : "timeout"));
            switch (key)
            {
                case '1':
                    var rating = await AskRatingAsync(ct);
                    await ReportVisitAsync(bookingId, done: true, rating, ct);
                    await call.SayAsync(rating is null ? _say.CallOutGoodbye : _say.VisitThanks, ct);
                    return (true, null);
                case '2':
                    await ReportVisitAsync(bookingId, done: false, rating: null, ct);
                    await call.SayAsync(_say.VisitNotDone, ct);
                    return (true, null);
                case '0':
                    await _people.ReachAsync(call, new PersonChain.Caller(queued.ElderId, null), "CallOut", emergency: false, Path, ct);
                    return (true, null);
                case '*':
                    prefix = "";
                    continue;
            }
            if (call.Ended) return (false, "接通后挂断，没有按键");
            if (++failures >= options.MaxFailures)
            {
                await call.SayAsync(_say.CallOutNoKey, ct);
                return (false, "接通但没有按键");
            }
            prefix = key is null ? _say.NoKey : _say.WrongKey;
        }
    }

    /// <summary>A rating from 1 to 5 by key; asked twice at most, none when the elder presses nothing that fits.</summary>
    private async Task<int?> AskRatingAsync(CancellationToken ct)
    {
        for (var tries = 0; tries < 2 && !call.Ended; tries++)
        {
            await call.SayAsync(_say.RateVisit, ct);
            if (await call.ReadKeyAsync(options.KeyTimeout, ct) is { } key and >= '1' and <= '5')
            {
                Path.Add($"rated:{key}");
                return key - '0';
            }
        }
        return null;
    }

    private async Task ReportVisitAsync(long bookingId, bool done, int? rating, CancellationToken ct)
    {
        try
        {
            await backend.ConfirmVisitAsync(bookingId, done, rating, ct);
            Path.Add(done ? "visit-done" : "visit-not-done");
        }
        catch (Exception e) when (e is BackendRefusal or BackendUnavailable)
        {
            Path.Add("visit-not-recorded");
            log.LogError("The answer about booking {BookingId}'s visit could not be recorded: {Reason}", bookingId, e.Message);
        }
    }
}
