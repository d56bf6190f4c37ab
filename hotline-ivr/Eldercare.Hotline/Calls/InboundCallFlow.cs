using Eldercare.Hotline.Backend;
using Eldercare.Hotline.Telephony;

namespace Eldercare.Hotline.Calls;

/// <summary>
/// An incoming call, from greeting to goodbye: who is calling (caller ID, else the ID number's last four), then the
/// menu. Every question waits <see cref="HotlineOptions.KeyTimeout"/> for a key; after
/// <see cref="HotlineOptions.MaxFailures"/> missed or wrong keys in a row, whenever 0 is pressed, and whenever the API
/// fails, the caller is put through to a person (<see cref="PersonChain"/>). Bookings go through the API under the
/// hotline's identity, one Idempotency-Key per call step, and the API's refusals are said in its own words. A
/// confirmation counts only from a key pressed after the whole question was said.
/// </summary>
public sealed class InboundCallFlow(ICall call, HotlineBackend backend, HotlineOptions options, TimeProvider clock, ILogger log)
{
    private readonly Prompts _say = options.Prompts;
    private readonly PersonChain _people = new(backend, options, clock, log);
    private int _failures;
    private int _step;
    private int? _elderId;
    private int? _stationId;
    private string? _dutyPhone;
    private DateTimeOffset _started;

    /// <summary>What happened, for the call log: the keys pressed and how the call ended.</summary>
    public List<string> Path { get; } = [];

    public async Task RunAsync(CancellationToken ct)
    {
        var started = _started = clock.GetUtcNow();
        using var correlated = HotlineBackend.ForCall(call.Id);
        try
        {
            if (call.FromHomeTerminal)
            {
                await TerminalAsync(ct); // the button was the request: no greeting, no menu, a person is rung straight after a few words
                return;
            }
            await call.SayAsync(_say.Greeting, ct);
            var elder = await IdentifyAsync(ct);
            if (elder is null) { await ToAgentAsync(ct); return; }
            await call.SayAsync(string.Format(_say.Hello, elder.Name), ct);
            await MenuAsync(elder.ElderId!.Value, ct);
        }
        catch (BackendUnavailable e) when (!call.Ended)
        {
            log.LogError("Call {CallId}: the API failed ({Reason}); the caller is put through to a person", call.Id, e.Message);
            Path.Add("api-down");
            await call.SayAsync(_say.SystemTrouble, ct);
            await ToAgentAsync(ct);
        }
        catch (TooLong) when (!call.Ended)
        {
            Path.Add("too-long");
            await call.SayWholeAsync(_say.TooLong, ct);
        }
        catch (GiveUp) when (!call.Ended)
        {
            await ToAgentAsync(ct);
        }
        catch (GiveUp)
        {
            Path.Add("hung-up"); // the caller is gone: nobody to put through
        }
        catch (BackendRefusal e) when (e.Type == "login")
        {
            await call.SayAsync(e.Title, ct);
            await ToAgentAsync(ct);
        }
        finally
        {
            await RecordAsync(started);
        }
    }

    /// <summary>
    /// What the call achieved, in order (e.g. "booked:12,person:agent:4s", or "no-person,callback" when nobody answered),
    /// or "ended" when the caller hung up without any.
    /// </summary>
    private string Outcome()
    {
        var results = Path.Where(p => p is "emergency" or "no-person" or "callback" or "too-long" || p.StartsWith("person:", StringComparison.Ordinal)
            || p.StartsWith("booked:", StringComparison.Ordinal)
            || p.StartsWith("cancelled:", StringComparison.Ordinal) || p.StartsWith("refused:", StringComparison.Ordinal)).ToList();
        return results.Count == 0 ? "ended" : string.Join(",", results);
    }

    private Task RecordAsync(DateTimeOffset started) => backend.RecordCallAsync(new CallLogEntry(call.Id, "Inbound", call.CallerNumber, _elderId,
        string.Join(",", Path), Outcome(), started.UtcDateTime, (int)(clock.GetUtcNow() - started).TotalSeconds), log);

    /// <summary>
    /// The one-key terminal: the elder pressed its one button, so there is no menu to work through. The terminal's
    /// number says who it is; a person is rung at once, while the elder hears their name and that a person is coming,
    /// unless 9 is pressed while it rings: then it is an emergency (the ringing phone is hung up, the duty phone rung).
    /// </summary>
    private async Task TerminalAsync(CancellationToken ct)
    {
        Path.Add("terminal");
        var name = Remember(await backend.IdentifyAsync(call.CallerNumber, null, ct)).Name;
        var words = (name is null ? "" : string.Format(_say.Hello, name)) + _say.Terminal;
        var reach = await _people.ReachAsync(call, new PersonChain.Caller(_elderId, _dutyPhone), "Terminal", emergency: false, Path, ct,
            whileFirstRings: new PersonChain.WhileRinging(words, StopKey: _elderId is null ? null : '9')); // an emergency needs the elder
        if (reach != PersonChain.Reach.Stopped) return;
        Path.Add("9");
        await EmergencyAsync(ct, confirmed: true);
    }

    private Caller? IdentifiedOrNull(Caller caller) => caller.ElderId is null ? null : Remember(caller);

    private Caller Remember(Caller caller)
    {
        (_elderId, _dutyPhone, _stationId) = (caller.ElderId, caller.DutyPhone, caller.StationId);
        return caller;
    }

    private async Task<Caller?> IdentifyAsync(CancellationToken ct)
    {
        if (IdentifiedOrNull(await backend.IdentifyAsync(call.CallerNumber, null, ct)) is { } known) return known;
        for (var tries = 0; tries < options.MaxFailures; tries++)
        {
            var tail = await ReadKeysAsync(_say.AskIdTail, 4, ct);
            if (tail is null) continue;
            // Found by the tail: the caller confirms the name, so a mistyped tail never books for somebody else.
            var found = await backend.IdentifyAsync(call.CallerNumber, tail, ct);
            if (found.ElderId is { } id && await AskAsync(string.Format(_say.ConfirmName, found.Name), "12", ct, confirming: true) == '1')
            {
                if (HotlineBackend.UsableNumber(call.CallerNumber) is { } number && !found.NumberOnFile) await OfferToRememberAsync(id, number, ct);
                return Remember(found);
            }
            await call.SayAsync(_say.NotIdentified, ct);
        }
        return null;
    }

    /// <summary>A caller found by the ID tail from a number on no file: next time, this number can say who they are.</summary>
    private async Task OfferToRememberAsync(int elderId, string number, CancellationToken ct)
    {
        if (await AskAsync(_say.OfferRemember, "12", ct, confirming: true) != '1') return;
        try
        {
            await backend.RememberNumberAsync(elderId, number, ct);
            Path.Add("number-remembered");
            await call.SayAsync(_say.Remembered, ct);
        }
        catch (BackendRefusal refusal)
        {
            await call.SayAsync(refusal.Title, ct);
        }
    }

    private async Task MenuAsync(int elderId, CancellationToken ct)
    {
        while (true)
        {
            var key = await AskAsync(_say.Menu, "123459", ct);
            switch (key)
            {
                case '9': if (await EmergencyAsync(ct)) return; break;
                case '5': await MyBookingsAsync(elderId, ct); break;
                default: await BookAsync(elderId, key switch { '1' => "Meals", '2' => "Bathing", '3' => "Cleaning", _ => "Medical" }, ct); break;
            }
        }
    }

    /// <summary>Key 9, confirmed with 1 (the one-key terminal's 9 needs no confirming): see <see cref="PersonChain.EmergencyAsync"/>.</summary>
    private async Task<bool> EmergencyAsync(CancellationToken ct, bool confirmed = false)
    {
        if (!confirmed && await AskAsync(_say.EmergencyConfirm, "12", ct, confirming: true) != '1') return false;
        await _people.EmergencyAsync(call, new PersonChain.Caller(_elderId, _dutyPhone), "Inbound", Path, ct);
        return true;
    }

    private async Task BookAsync(int elderId, string line, CancellationToken ct)
    {
        var services = (await backend.CatalogAsync(elderId, ct)).Where(s => s.Line == line && s.Eligible != false).Take(3).ToList();
        if (services.Count == 0) { await call.SayAsync(_say.NoService, ct); return; }
        var service = services.Count == 1 ? services[0] : services[await ChooseAsync(services.Select(s => s.Name).ToList(), _say.ChooseService, ct)];

        // Each time is read with where it is; the elder's own station's come first.
        var today = DateOnly.FromDateTime(ChineseWords.BeijingNow(clock));
        var slots = (await backend.AvailabilityAsync(service.Id, elderId, today, today.AddDays(6), ct)).Where(s => s.Bookable)
            .OrderBy(s => s.StationId == _stationId ? 0 : 1).ThenBy(s => s.Date).ThenBy(s => s.Start).Take(3).ToList();
        if (slots.Count == 0) { await call.SayAsync(_say.NoSlot, ct); return; }
        var text = string.Concat(slots.Select((s, i) => string.Format(_say.ChooseSlot, ChineseWords.When(s.Date, s.Start, today), s.ResourceName, ChineseWords.Number(i + 1))));
        var slot = slots[await AskAsync(text, Keys(slots.Count), ct) - '1'];
        var when = ChineseWords.When(slot.Date, slot.Start, today);
        // How it comes (at the canteen, delivered home): asked when the service offers more than one way.
        var modes = service.Modes.Count > 0 ? service.Modes.Take(3).ToList() : ["AtCentre"];
        var mode = modes.Count == 1 ? modes[0]
            : modes[await AskAsync(string.Concat(modes.Select((m, i) => string.Format(_say.ChooseMode, ChineseWords.Mode(m, line), ChineseWords.Number(i + 1)))), Keys(modes.Count), ct) - '1'];
        var how = ChineseWords.Mode(mode, line);
        if (await AskAsync(string.Format(_say.ConfirmBooking, service.Name, when, slot.ResourceName, how, ChineseWords.Money(service.Price.PayableFen)), "12", ct, confirming: true) != '1') return;

        try
        {
            var booking = await backend.BookAsync(elderId, slot.SlotId, mode, $"{call.Id}:{++_step}", ct);
            Path.Add($"booked:{booking.Id}");
            await call.SayAsync(string.Format(_say.Booked, booking.ServiceName, when, how, ChineseWords.Money(booking.Price.PayableFen)), ct);
        }
        catch (BackendRefusal refusal)
        {
            Path.Add($"refused:{refusal.Type}");
            await call.SayAsync(refusal.Title, ct);
        }
    }

    private async Task MyBookingsAsync(int elderId, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(ChineseWords.BeijingNow(clock));
        var upcoming = (await backend.BookingsAsync(elderId, today, ct)).Where(b => b.Status is "Requested" or "Confirmed" or "Assigned").Take(3).ToList();
        if (upcoming.Count == 0) { await call.SayAsync(_say.NoBookings, ct); return; }
        var options = upcoming.Select((b, i) => string.Format(_say.BookingItem, ChineseWords.When(b.Date, b.Start, today), b.ServiceName,
            b.Price.PayableFen > b.Price.PaidFen ? "还没付款" : "已付款", ChineseWords.Number(i + 1))).ToList();
        var keys = string.Concat(Enumerable.Range(1, upcoming.Count).Select(i => (char)('0' + i)));
        var choice = await AskAsync(string.Concat(options), keys + "#", ct);
        if (choice == '#') return;
        var booking = upcoming[choice - '1'];
        if (await AskAsync(string.Format(_say.ConfirmCancel, ChineseWords.When(booking.Date, booking.Start, today), booking.ServiceName), "12", ct, confirming: true) != '1') return;
        try
        {
            await backend.CancelAsync(booking.Id, ct);
            Path.Add($"cancelled:{booking.Id}");
            await call.SayAsync(_say.Cancelled, ct);
        }
        catch (BackendRefusal refusal)
        {
            await call.SayAsync(refusal.Title, ct);
        }
    }

    /// <summary>Offers up to three choices by key (1, 2, 3) and returns the index chosen.</summary>
    private async Task<int> ChooseAsync(IReadOnlyList<string> choices, string pattern, CancellationToken ct) =>
        await AskAsync(string.Concat(choices.Select((c, i) => string.Format(pattern, c, ChineseWords.Number(i + 1)))), Keys(choices.Count), ct) - '1';

    private static string Keys(int count) => string.Concat(Enumerable.Range(1, count).Select(i => (char)('0' + i)));

    /// <summary>
    /// Says the question and waits for one of the allowed keys. * repeats the question; 0 (when not an answer) puts the
    /// caller through to a person; a missed or wrong key counts towards MaxFailures. A question that <paramref name="confirming"/>
    /// something (money, a cancel, an emergency) is said to the end whatever is pressed, and keys pressed before its
    /// end are dropped: a stuck key or a key meant for the last question never confirms.
    /// </summary>
    private async Task<char> AskAsync(string question, string allowed, CancellationToken ct, bool confirming = false)
    {
        var prefix = "";
        while (true)
        {
            if (clock.GetUtcNow() - _started > options.MaxCallLength) throw new TooLong();
            if (confirming)
            {
                await call.SayWholeAsync(prefix + question, ct);
                call.DiscardKeys();
            }
            else
            {
                await call.SayAsync(prefix + question, ct);
            }
            var key = await call.ReadKeyAsync(options.KeyTimeout, ct);
            Path.Add(key?.ToString() ?? "timeout");
            if (key is { } k && allowed.Contains(k)) { _failures = 0; return k; }
            if (key == '*') { prefix = ""; continue; }
            if (key == '0') throw new GiveUp();
            if (call.Ended || ++_failures >= options.MaxFailures) throw new GiveUp();
            prefix = key is null ? _say.NoKey : _say.WrongKey;
        }
    }

    /// <summary>Reads several digits (the ID tail); * stands for the letter X. Null when the caller stops short.</summary>
    private async Task<string?> ReadKeysAsync(string question, int count, CancellationToken ct)
    {
        await call.SayAsync(question, ct);
        var keys = "";
        while (keys.Length < count)
        {
            var key = await call.ReadKeyAsync(options.KeyTimeout, ct);
            if (key is null) { Path.Add("timeout"); return null; }
            keys += key == '*' ? 'X' : key;
        }
        Path.Add("id-tail");
        return keys;
    }

    private async Task ToAgentAsync(CancellationToken ct, string source = "Inbound")
    {
        if (call.Ended) return;
        log.LogInformation("Call {CallId} is put through to a person", call.Id);
        await _people.ReachAsync(call, new PersonChain.Caller(_elderId, _dutyPhone), source, emergency: false, Path, ct);
    }

    /// <summary>The caller needs a person: too many missed keys, or 0.</summary>
    private sealed class GiveUp : Exception;

    /// <summary>The call has been in the menus for longer than <see cref="HotlineOptions.MaxCallLength"/>.</summary>
    private sealed class TooLong : Exception;
}
