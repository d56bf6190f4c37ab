using Eldercare.Hotline.Backend;
using Eldercare.Hotline.Telephony;

namespace Eldercare.Hotline.Calls;

/// <summary>
/// An incoming call, from greeting to goodbye: who is calling (caller ID, else the ID number's last four), then the
/// menu. Every question waits <see cref="HotlineOptions.KeyTimeout"/> for a key; after
/// <see cref="HotlineOptions.MaxFailures"/> missed or wrong keys in a row, and whenever 0 is pressed, the caller is
/// put through to a person. Bookings go through the API under the hotline's identity, one Idempotency-Key per call
/// step, and the API's refusals are said in its own words.
/// </summary>
public sealed class InboundCallFlow(ICall call, HotlineBackend backend, HotlineOptions options, TimeProvider clock, ILogger log)
{
    private readonly Prompts _say = options.Prompts;
    private int _failures;
    private int _step;
    private int? _elderId;

    /// <summary>What happened, for the call log: the keys pressed and how the call ended.</summary>
    public List<string> Path { get; } = [];

    public async Task RunAsync(CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        try
        {
            await call.SayAsync(_say.Greeting, ct);
            if (call.FromHomeTerminal)
            {
                await TerminalAsync(ct);
                return;
            }
            var elder = await IdentifyAsync(ct);
            if (elder is null) { await ToAgentAsync(ct); return; }
            _elderId = elder.Value.Id;
            await call.SayAsync(string.Format(_say.Hello, elder.Value.Name), ct);
            await MenuAsync(elder.Value.Id, ct);
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

    /// <summary>What the call achieved, in order (e.g. "booked:12,agent"), or "ended" when the caller hung up without any.</summary>
    private string Outcome()
    {
        var results = Path.Where(p => p is "agent" or "emergency" || p.StartsWith("booked:", StringComparison.Ordinal)
            || p.StartsWith("cancelled:", StringComparison.Ordinal) || p.StartsWith("refused:", StringComparison.Ordinal)).ToList();
        return results.Count == 0 ? "ended" : string.Join(",", results);
    }

    private Task RecordAsync(DateTimeOffset started) => backend.RecordCallAsync(new CallLogEntry(call.Id, "Inbound", call.CallerNumber, _elderId,
        string.Join(",", Path), Outcome(), started.UtcDateTime, (int)(clock.GetUtcNow() - started).TotalSeconds), log);

    /// <summary>
    /// The one-key terminal: the elder pressed its one button, so there is no menu to work through. The terminal's
    /// number says who it is; a person takes the call at once, unless 9 is pressed for an emergency.
    /// </summary>
    private async Task TerminalAsync(CancellationToken ct)
    {
        Path.Add("terminal");
        var caller = await backend.IdentifyAsync(call.CallerNumber, null, ct);
        _elderId = caller.ElderId;
        if (caller.Name is { } name) await call.SayAsync(string.Format(_say.Hello, name), ct);
        await call.SayAsync(_say.Terminal, ct);
        var key = await call.ReadKeyAsync(options.KeyTimeout, ct);
        Path.Add(key?.ToString() ?? "timeout");
        if (key == '9' && _elderId is not null && await EmergencyAsync(ct)) return;
        await ToAgentAsync(ct);
    }

    private async Task<(int Id, string Name)?> IdentifyAsync(CancellationToken ct)
    {
        var caller = await backend.IdentifyAsync(call.CallerNumber, null, ct);
        if (caller.ElderId is { } known) return (known, caller.Name!);
        for (var tries = 0; tries < options.MaxFailures; tries++)
        {
            var tail = await ReadKeysAsync(_say.AskIdTail, 4, ct);
            if (tail is null) continue;
            var found = await backend.IdentifyAsync(call.CallerNumber, tail, ct);
            if (found.ElderId is { } id) return (id, found.Name!);
            await call.SayAsync(_say.NotIdentified, ct);
        }
        return null;
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

    private async Task<bool> EmergencyAsync(CancellationToken ct)
    {
        if (await AskAsync(_say.EmergencyConfirm, "12", ct) != '1') return false;
        Path.Add("emergency");
        try
        {
            var opened = await backend.ReportEmergencyAsync(_elderId!.Value, call.Id, ct);
            await call.SayAsync(_say.EmergencyTransfer, ct);
            await call.TransferAsync(string.Format(options.DutyLine, opened.DutyPhone), ct);
        }
        catch (Exception e) when (e is BackendRefusal or HttpRequestException)
        {
            // The hub could not be told: a person takes the call at once all the same.
            log.LogError("Emergency on call {CallId} could not be reported: {Reason}", call.Id, e.Message);
            await ToAgentAsync(ct);
        }
        return true;
    }

    private async Task BookAsync(int elderId, string line, CancellationToken ct)
    {
        var services = (await backend.CatalogAsync(elderId, ct)).Where(s => s.Line == line && s.Eligible != false).Take(3).ToList();
        if (services.Count == 0) { await call.SayAsync(_say.NoService, ct); return; }
        var service = services.Count == 1 ? services[0] : services[await ChooseAsync(services.Select(s => s.Name).ToList(), _say.ChooseService, ct)];

        var today = DateOnly.FromDateTime(ChineseWords.BeijingNow(clock));
        var slots = (await backend.AvailabilityAsync(service.Id, elderId, today, today.AddDays(6), ct)).Where(s => s.Bookable).Take(3).ToList();
        if (slots.Count == 0) { await call.SayAsync(_say.NoSlot, ct); return; }
        var slot = slots[await ChooseAsync(slots.Select(s => ChineseWords.When(s.Date, s.Start, today)).ToList(), _say.ChooseSlot, ct)];
        var when = ChineseWords.When(slot.Date, slot.Start, today);
        if (await AskAsync(string.Format(_say.ConfirmBooking, service.Name, when, ChineseWords.Money(service.Price.PayableFen)), "12", ct) != '1') return;

        try
        {
            var booking = await backend.BookAsync(elderId, slot.SlotId, $"{call.Id}:{++_step}", ct);
            Path.Add($"booked:{booking.Id}");
            await call.SayAsync(string.Format(_say.Booked, booking.ServiceName, when, ChineseWords.Money(booking.Price.PayableFen)), ct);
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
        if (await AskAsync(string.Format(_say.ConfirmCancel, ChineseWords.When(booking.Date, booking.Start, today), booking.ServiceName), "12", ct) != '1') return;
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
    private async Task<int> ChooseAsync(IReadOnlyList<string> choices, string pattern, CancellationToken ct)
    {
        var text = string.Concat(choices.Select((c, i) => string.Format(pattern, c, ChineseWords.Number(i + 1))));
        var keys = string.Concat(Enumerable.Range(1, choices.Count).Select(i => (char)('0' + i)));
        return await AskAsync(text, keys, ct) - '1';
    }

    /// <summary>
    /// Says the question and waits for one of the allowed keys. * repeats the question; 0 (when not an answer) puts the
    /// caller through to a person; a missed or wrong key counts towards MaxFailures.
    /// </summary>
    private async Task<char> AskAsync(string question, string allowed, CancellationToken ct)
    {
        var prefix = "";
        while (true)
        {
            await call.SayAsync(prefix + question, ct);
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

    private async Task ToAgentAsync(CancellationToken ct)
    {
        Path.Add("agent");
        log.LogInformation("Call {CallId} put through to a person", call.Id);
        await call.SayAsync(_say.ToAgent, ct);
        await call.TransferAsync(options.AgentLine, ct);
    }

    /// <summary>The caller needs a person: too many missed keys, or 0.</summary>
    private sealed class GiveUp : Exception;
}
