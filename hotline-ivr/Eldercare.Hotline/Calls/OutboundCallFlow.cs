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
}
