using Eldercare.Hotline.Backend;
using Eldercare.Hotline.Telephony;

namespace Eldercare.Hotline.Calls;

/// <summary>
/// Puts a caller through to a person, and never lets them go before somebody has answered: the agents first, then
/// the elder's station's duty phone, then the district's duty line (the duty phone first in an emergency), each rung
/// for <see cref="HotlineOptions.PersonRingTimeout"/> while the caller hears where they are being put through. When
/// nobody answers, the caller is told so; a known elder's request goes to the hub, which gives the station a task and
/// has the hotline ring the elder back. The call's path records whom it reached after how long, or who did not answer.
/// </summary>
public sealed class PersonChain(HotlineBackend backend, HotlineOptions options, TimeProvider clock, ILogger log)
{
    private readonly Prompts _say = options.Prompts;

    /// <summary>Whom the caller is, as far as known: the elder and their station's duty phone.</summary>
    public sealed record Caller(int? ElderId, string? DutyPhone);

    /// <summary>
    /// Words the caller hears while the first person already rings (the one-key terminal: nobody waits for the words),
    /// and the key that stops that ringing instead (9 for an emergency), if any.
    /// </summary>
    public sealed record WhileRinging(string Words, char? StopKey);

    /// <summary>How putting a caller through ended: a person answered, nobody did, or the caller's key stopped the ringing.</summary>
    public enum Reach { Person, Nobody, Stopped }

    /// <summary>
    /// Rings the people in turn; true when one answered (and the conversation has ended). <paramref name="source"/>
    /// is what the hub is told the request came from: Inbound, Terminal or CheckIn (a check-in's request is always
    /// told, so the station follows up even when a person answered). <paramref name="announced"/>: the caller has just
    /// been told a person is coming (the emergency, the one-key terminal), so the first ring starts without more words.
    /// <paramref name="callingBack"/>: this is the hub's call back, so nobody answering again asks for no further call.
    /// <paramref name="whileFirstRings"/>: see <see cref="WhileRinging"/>.
    /// </summary>
    public async Task<Reach> ReachAsync(ICall call, Caller caller, string source, bool emergency, List<string> path, CancellationToken ct,
        bool announced = false, bool callingBack = false, WhileRinging? whileFirstRings = null)
    {
        var people = People(caller, emergency);
        string? previous = null;
        foreach (var (name, spoken, address) in people)
        {
            if (call.Ended) break;
            Connection? connection;
            if (previous is null && whileFirstRings is not null)
            {
                connection = await RingWhileSayingAsync(call, address, whileFirstRings, ct);
                if (connection is null)
                {
                    path.Add($"stopped:{name}");
                    return Reach.Stopped;
                }
            }
            else
            {
                var intro = previous is not null ? string.Format(_say.NextPerson, previous, spoken) : emergency || announced ? null : _say.ToAgent;
                if (intro is not null) await call.SayAsync(intro, ct);
                connection = await call.ConnectAsync(address, options.PersonRingTimeout, ct);
            }
            var seconds = (int)Math.Round(connection.Waited.TotalSeconds);
            if (connection.Reached)
            {
                path.Add($"person:{name}:{seconds}s");
                log.LogInformation("Call {CallId} reached {Person} after {Seconds} s", call.Id, name, seconds);
                if (source == "CheckIn" && caller.ElderId is { } checkedIn) await TellHubAsync(checkedIn, call.Id, source, reached: true, ct);
                return Reach.Person;
            }
            path.Add($"missed:{name}:{connection.Failure}");
            log.LogWarning("Call {CallId}: {Person} did not answer ({Failure}) in {Seconds} s", call.Id, name, connection.Failure, seconds);
            previous = spoken;
        }
        path.Add("no-person");
        if (call.Ended) return Reach.Nobody;
        if (callingBack)
        {
            await call.SayAsync(_say.NobodyAgain, ct); // the station has had its task since the first try
            return Reach.Nobody;
        }
        var request = caller.ElderId is { } elderId ? await TellHubAsync(elderId, call.Id, source, reached: false, ct) : null;
        if (request?.CallBackAt is { } at)
        {
            path.Add("callback");
            var minutes = Math.Max(1, (int)Math.Ceiling((at - DateTime.UtcNow).TotalMinutes));
            await call.SayAsync(string.Format(_say.NobodyCallBack, ChineseWords.Number(minutes)), ct);
        }
        else
        {
            await call.SayAsync(_say.NobodyCallAgain, ct);
        }
        return Reach.Nobody;
    }

    /// <summary>
    /// Rings the person and says the words meanwhile: an answer cuts the words short (the two are connected at once).
    /// The stop key pressed while it rings ends the ringing, and hangs up a phone picked up at that very moment: null then.
    /// </summary>
    private async Task<Connection?> RingWhileSayingAsync(ICall call, string address, WhileRinging first, CancellationToken ct)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ringing = call.ConnectAsync(address, options.PersonRingTimeout, ct, stopRinging: stop.Task);
        await call.SayAsync(first.Words, ct);
        using var settled = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _ = ringing.ContinueWith(_ => { try { settled.Cancel(); } catch (ObjectDisposedException) { } }, TaskScheduler.Default);
        while (!ringing.IsCompleted && first.StopKey is { } stopKey)
        {
            var key = await call.ReadKeyAsync(Timeout.InfiniteTimeSpan, settled.Token);
            if (key is null) break; // the call ended, or the ringing settled
            if (key != stopKey) continue;
            stop.TrySetResult();
            var connection = await ringing;
            return connection.Reached ? connection : null; // answered before the key: the key was said to the person
        }
        return await ringing;
    }

    /// <summary>
    /// An emergency (9 on a call in, on the one-key terminal, in a check-in call): the case is opened first, then the
    /// duty phone is rung (the agents and the district after it). The caller hears only what has happened: that the
    /// station has it, or, when the hub cannot be told yet, only that a person is being rung; the case is then sent in
    /// the background until the hub takes it.
    /// </summary>
    public async Task EmergencyAsync(ICall call, Caller caller, string source, List<string> path, CancellationToken ct)
    {
        path.Add("emergency");
        var elderId = caller.ElderId!.Value;
        var dutyPhone = caller.DutyPhone;
        try
        {
            dutyPhone = (await backend.ReportEmergencyAsync(elderId, call.Id, ct)).DutyPhone;
            await call.SayAsync(_say.EmergencyTransfer, ct);
        }
        catch (Exception e) when (e is BackendRefusal or BackendUnavailable)
        {
            log.LogError("Emergency on call {CallId} could not be reported yet: {Reason}", call.Id, e.Message);
            path.Add("emergency-pending");
            _ = SendEmergencyLaterAsync(elderId, call.Id);
            await call.SayAsync(_say.EmergencyNotYetRecorded, ct);
        }
        await ReachAsync(call, caller with { DutyPhone = dutyPhone }, source, emergency: true, path, ct);
    }

    /// <summary>Sends an emergency the hub could not take during the call, every 15 seconds for an hour.</summary>
    private async Task SendEmergencyLaterAsync(int elderId, string callId)
    {
        for (var attempt = 0; attempt < 240; attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(15), clock);
            try
            {
                await backend.ReportEmergencyAsync(elderId, callId, CancellationToken.None);
                log.LogInformation("Emergency of call {CallId} reported after the call", callId);
                return;
            }
            catch (Exception e) when (e is BackendRefusal or BackendUnavailable)
            {
                log.LogWarning("Emergency of call {CallId} still not reported: {Reason}", callId, e.Message);
            }
        }
    }

    private List<(string Name, string Spoken, string Address)> People(Caller caller, bool emergency)
    {
        var agents = ("agent", _say.AgentName, options.AgentLine);
        var duty = caller.DutyPhone is { Length: > 0 } phone ? ("duty", _say.DutyName, string.Format(options.DutyLine, phone)) : default;
        var district = options.DistrictDutyLine.Length > 0 ? ("district", _say.DistrictDutyName, options.DistrictDutyLine) : default;
        var order = emergency ? new[] { duty, agents, district } : [agents, duty, district];
        return order.Where(p => p.Item3 is { Length: > 0 }).ToList()!;
    }

    private async Task<HelpRequest?> TellHubAsync(int elderId, string callId, string source, bool reached, CancellationToken ct)
    {
        try
        {
            return await backend.RequestHelpAsync(elderId, callId, source, reached, ct);
        }
        catch (Exception e) when (e is BackendRefusal or BackendUnavailable)
        {
            log.LogError("The help request of call {CallId} could not be recorded: {Reason}", callId, e.Message);
            return null;
        }
    }
}
