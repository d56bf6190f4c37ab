using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Eldercare.Hotline.Telephony;

/// <summary>
/// Where baresip listens: SIP on sipHost:sipPort, its control on 127.0.0.1:controlPort, its files in folder; Lines
/// answer calls, OutboundLines place them, TerminalLines answer the one-key terminals in elders' homes.
/// </summary>
public sealed record BaresipSettings(int Lines, string SipHost, int SipPort, int ControlPort, string Folder, int OutboundLines = 0, int TerminalLines = 0);

/// <summary>
/// The hotline's phone lines on baresip: one SIP account per line (ivr1..ivrN, one call each, since switching a
/// prompt switches the audio of every call on an account), driven over ctrl_tcp. Each answered call is handed to
/// the call handler as an <see cref="ICall"/>. Calls out go from lines of their own (out1..outM), so callers never
/// find every line busy with reminders. A caller is put through to a person by ringing the person from a link line
/// (link1..linkK, one for every other line) and, once they answer, bridging the two calls inside baresip (aubridge:
/// each call's source becomes the other's sink), so the caller is never let go before somebody has answered. If
/// baresip dies it is started again, and the calls it carried end.
/// </summary>
public sealed class BaresipLines : IDialler, IAsyncDisposable
{
    private readonly BaresipSettings _settings;
    private readonly PromptAudio _prompts;
    private readonly Func<ICall, Task> _onCall;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, BaresipCall> _calls = new();
    private readonly IDisposable _callsCounted;
    private readonly SemaphoreSlim _commands = new(1, 1); // uafind selects the account for the next command: one group at a time
    private readonly CancellationTokenSource _stop = new();
    private Process? _process;
    private BaresipControl? _control;
    private Task _watch = Task.CompletedTask;
    private readonly LinePool _outbound;
    private readonly LinePool _links;
    private readonly ConcurrentDictionary<string, PendingDial> _dialling = new(); // by the dialling line's address
    private readonly Dictionary<string, string> _sinks = []; // each line's aubridge device, where its caller's voice goes
    private readonly SipDialogs _dialogs;

    private BaresipLines(BaresipSettings settings, PromptAudio prompts, Func<ICall, Task> onCall, ILogger log)
    {
        _callsCounted = HotlineMetrics.ObserveLines(() => (_calls.Values.Count(c => !c.Outbound && !c.Ended), _calls.Values.Count(c => c.Outbound && !c.Ended)));
        (_settings, _prompts, _onCall, _log) = (settings, prompts, onCall, log);
        _dialogs = new SipDialogs(settings.SipHost, settings.SipPort);
        _outbound = new LinePool(settings.OutboundLines, OutboundAddressOf);
        _links = new LinePool(settings.Lines + settings.TerminalLines + settings.OutboundLines, LinkAddressOf);
    }

    public string SilencePath => BaresipProcess.SilenceIn(_settings.Folder);

    public string AddressOf(int line) => $"sip:ivr{line}@{_settings.SipHost}:{_settings.SipPort}";

    private string OutboundAddressOf(int line) => $"sip:out{line}@{_settings.SipHost}:{_settings.SipPort}";

    private string LinkAddressOf(int line) => $"sip:link{line}@{_settings.SipHost}:{_settings.SipPort}";

    /// <summary>The address one-key terminals call (term1..termN): their calls are marked as from a home terminal.</summary>
    public string TerminalAddressOf(int line) => $"sip:term{line}@{_settings.SipHost}:{_settings.SipPort}";

    public static async Task<BaresipLines> StartAsync(BaresipSettings settings, PromptAudio prompts, Func<ICall, Task> onCall, ILogger log, CancellationToken ct)
    {
        var lines = new BaresipLines(settings, prompts, onCall, log);
        lines.WriteConfiguration();
        await lines.StartBaresipAsync(ct);
        lines._watch = Task.Run(lines.WatchAsync, CancellationToken.None);
        return lines;
    }

    private void WriteConfiguration()
    {
        var s = _settings;
        var lines = Enumerable.Range(1, s.Lines).Select(n => (AddressOf(n), true, $"sink{n}"))
            .Concat(Enumerable.Range(1, s.TerminalLines).Select(n => (TerminalAddressOf(n), true, $"termsink{n}")))
            .Concat(Enumerable.Range(1, s.OutboundLines).Select(n => (OutboundAddressOf(n), false, $"outsink{n}")))
            .Concat(Enumerable.Range(1, _links.Count).Select(n => (LinkAddressOf(n), false, $"linksink{n}"))).ToList();
        foreach (var (address, _, sink) in lines) _sinks[address] = sink;
        // Calls end when their audio file ends: ten minutes of silence plays between prompts. One call per line,
        // since switching a prompt switches the audio of every call on an account.
        BaresipProcess.Configure(s.Folder, s.SipHost, s.SipPort, s.ControlPort,
            lines.Select(l => BaresipProcess.Account(l.Item1, answers: l.Item2, l.Item3)), maxCallsPerAccount: 1);
    }

    private DateTime _lastStart;

    private async Task StartBaresipAsync(CancellationToken ct)
    {
        _lastStart = DateTime.UtcNow;
        _dialogs.Clear();
        (_process, _control) = await BaresipProcess.StartAsync(_settings.Folder, _settings.ControlPort, ct, sipTrace: _dialogs.Read);
        _control.Events += OnEvent;
        _log.LogInformation("baresip serves {Lines} lines on {Host}:{Port}", _settings.Lines, _settings.SipHost, _settings.SipPort);
    }

    /// <summary>baresip stopping on its own is a failure: the calls it carried end, and it is started again.</summary>
    private async Task WatchAsync()
    {
        var wait = TimeSpan.FromSeconds(0.5); // doubled while baresip keeps failing (up to 30 s), so a broken setup is not restarted twice a second
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _process!.WaitForExitAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _log.LogError("baresip stopped (exit code {ExitCode}); starting it again", _process.ExitCode);
            await HangUpDeadCallsAsync();
            foreach (var call in _calls.Values) call.End();
            _calls.Clear();
            foreach (var dial in _dialling.Values) dial.Done.TrySetResult(DialResult.NotAnswered("线路故障"));
            if (_control is not null) await _control.DisposeAsync();
            var ranFor = DateTime.UtcNow - _lastStart;
            wait = ranFor > TimeSpan.FromMinutes(1) ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            try { await Task.Delay(wait, _stop.Token); }
            catch (OperationCanceledException) { return; }
            try { await StartBaresipAsync(_stop.Token); }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception) { _log.LogError(e, "baresip could not be started again"); }
        }
    }

    /// <summary>
    /// Ends, with a BYE from the hotline's own SIP address, every call the dead baresip carried, so no caller is left
    /// in silence (and no person rung for them keeps holding a line).
    /// </summary>
    private async Task HangUpDeadCallsAsync()
    {
        var carried = _dialogs.Established.Count;
        if (carried == 0) return;
        try
        {
            var ended = await _dialogs.HangUpAllAsync(TimeSpan.FromSeconds(2), CancellationToken.None);
            _log.LogWarning("baresip's {Carried} calls were hung up by the hotline ({Ended} confirmed by the other side)", carried, ended);
        }
        catch (Exception e)
        {
            // Whatever went wrong saying goodbye must not keep baresip from being started again.
            _log.LogError(e, "baresip's {Carried} calls could not be hung up by the hotline", carried);
        }
    }

    /// <summary>Kills baresip, as a crash would (for tests of the restart).</summary>
    public void KillBaresip() => _process?.Kill();

    private void OnEvent(JsonElement e)
    {
        var type = e.GetProperty("type").GetString();
        var id = e.TryGetProperty("id", out var i) ? i.GetString() ?? "" : "";
        // A call out on a line is the pending dial's only if it goes where that dial goes and is not an earlier call
        // of the line, whose last events (its hang-up) may still be on their way when the line dials again.
        if (e.TryGetProperty("direction", out var direction) && direction.GetString() == "outgoing" && id.Length > 0 && !_calls.ContainsKey(id)
            && _dialling.TryGetValue(e.GetProperty("accountaor").GetString() ?? "", out var dial)
            && e.TryGetProperty("peeruri", out var peer) && peer.GetString() == dial.Address && OnDialEvent(dial, type, id, e))
            return;
        switch (type)
        {
            case "CALL_ESTABLISHED" when e.GetProperty("direction").GetString() == "incoming":
                var line = e.GetProperty("accountaor").GetString()!;
                var call = new BaresipCall(this, id, line, _sinks.GetValueOrDefault(line, ""), NumberOf(e.GetProperty("peeruri").GetString()))
                {
                    FromHomeTerminal = line.StartsWith("sip:term", StringComparison.Ordinal),
                };
                if (!_calls.TryAdd(id, call)) return;
                _ = Task.Run(async () =>
                {
                    try { await _onCall(call); }
                    catch (Exception ex) { _log.LogError(ex, "Call {CallId} failed", id); }
                    finally { if (!call.Ended) await call.HangUpAsync(CancellationToken.None); _calls.TryRemove(id, out _); }
                });
                break;
            case "CALL_DTMF_START" when _calls.TryGetValue(id, out var pressed):
                var key = e.GetProperty("param").GetString();
                if (!string.IsNullOrEmpty(key)) pressed.Press(key[0]);
                break;
            case "CALL_CLOSED" when _calls.TryGetValue(id, out var closed):
                closed.End();
                if (closed.Outbound) _calls.TryRemove(id, out _); // only now: its line may be dialling again already
                break;
        }
    }

    /// <summary>
    /// Follows a call being placed: learns its id, and settles the dial when it is answered (the call is known from
    /// then on, so its keys and hang-up are not missed) or closed before that. True when the event was the dial's.
    /// </summary>
    private bool OnDialEvent(PendingDial dial, string? type, string id, JsonElement e)
    {
        if (dial.Done.Task.IsCompleted || (dial.CallId is { } known && known != id)) return false;
        dial.CallId = id;
        switch (type)
        {
            case "CALL_ESTABLISHED":
                var call = new BaresipCall(this, id, dial.LineAddress, _sinks[dial.LineAddress], dial.Number) { Outbound = true };
                _calls[id] = call;
                dial.Done.TrySetResult(new DialResult(call, null));
                return true;
            case "CALL_CLOSED":
                dial.Done.TrySetResult(DialResult.NotAnswered(WhyNotAnswered(e.TryGetProperty("param", out var p) ? p.GetString() ?? "" : "")));
                return true;
            default:
                return true;
        }
    }

    /// <summary>SIP's reason for a call that was never answered, in the words staff read in the task list.</summary>
    private static string WhyNotAnswered(string reason) => reason.Split(' ')[0] switch
    {
        "486" or "600" or "603" => "占线或拒接",
        "404" or "484" or "604" => "号码无法接通",
        "408" or "480" or "487" => "无人接听",
        _ => $"未接通（{reason}）",
    };

    public Task<DialResult> DialAsync(string address, string number, TimeSpan ringFor, CancellationToken ct) =>
        DialFromAsync(_outbound, address, number, ringFor, null, ct);

    /// <summary>Rings a person from a link line, to put a caller through (see <see cref="BaresipCall.ConnectAsync"/>); stops ringing when <paramref name="stopRinging"/> completes.</summary>
    internal Task<DialResult> LinkAsync(string address, TimeSpan ringFor, Task stopRinging, CancellationToken ct) =>
        DialFromAsync(_links, address, NumberOf(address) ?? "", ringFor, stopRinging, ct);

    public bool IsOnCall(string number) => _calls.Values.Any(c => !c.Outbound && !c.Ended && c.CallerNumber is { } from && SameNumber(from, number));

    /// <summary>The same phone, whatever the form (+86, a landline's 010): the last eight digits agree.</summary>
    private static bool SameNumber(string a, string b)
    {
        static string Tail(string n) { var digits = new string(n.Where(char.IsAsciiDigit).ToArray()); return digits.Length > 8 ? digits[^8..] : digits; }
        return Tail(a) is { Length: > 0 } t && t == Tail(b);
    }

    private async Task<DialResult> DialFromAsync(LinePool pool, string address, string number, TimeSpan ringFor, Task? stopRinging, CancellationToken ct)
    {
        var line = await pool.TakeAsync(ct);
        var dial = new PendingDial(pool.AddressOf(line), address, number);
        _dialling[dial.LineAddress] = dial;
        var result = DialResult.NotAnswered("线路故障");
        try
        {
            await OnLineAsync(dial.LineAddress, null, c => c.CommandAsync("dial", address, ct), ct);
            var rung = Task.Delay(ringFor, ct);
            if (await Task.WhenAny(dial.Done.Task, rung, stopRinging ?? Task.Delay(Timeout.Infinite, ct)) != dial.Done.Task)
            {
                // Rung long enough (or the caller is gone): stop ringing. The hang-up closes the call, which settles the
                // dial (as answered, if it was picked up at the last moment).
                try { await OnLineAsync(dial.LineAddress, dial.CallId, c => c.CommandAsync("hangup", null, CancellationToken.None), CancellationToken.None); }
                catch (InvalidOperationException) { /* it closed meanwhile */ }
                await Task.WhenAny(dial.Done.Task, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
                if (!dial.Done.TrySetResult(DialResult.NotAnswered("无人接听")) && dial.Done.Task.Result.Answered is BaresipCall late)
                    await late.HangUpAsync(CancellationToken.None);
                return result = DialResult.NotAnswered("无人接听");
            }
            return result = dial.Done.Task.Result;
        }
        catch (InvalidOperationException e)
        {
            _log.LogWarning("A call out on {Line} could not be placed: {Reason}", dial.LineAddress, e.Message);
            return result;
        }
        finally
        {
            _dialling.TryRemove(dial.LineAddress, out _);
            if (result.Answered is BaresipCall answered)
                _ = answered.Finished.ContinueWith(_ => pool.Free(line), TaskScheduler.Default);
            else
                pool.Free(line);
        }
    }

    /// <summary>Lines of one kind (out1..outN, link1..linkN), each placing one call at a time.</summary>
    private sealed class LinePool
    {
        private readonly ConcurrentQueue<int> _free = new();
        private readonly SemaphoreSlim _available;

        public LinePool(int count, Func<int, string> addressOf)
        {
            (Count, AddressOf) = (count, addressOf);
            for (var line = 1; line <= count; line++) _free.Enqueue(line);
            _available = new SemaphoreSlim(count);
        }

        public int Count { get; }
        public Func<int, string> AddressOf { get; }

        public async Task<int> TakeAsync(CancellationToken ct)
        {
            await _available.WaitAsync(ct);
            _free.TryDequeue(out var line);
            return line;
        }

        public void Free(int line)
        {
            _free.Enqueue(line);
            _available.Release();
        }
    }

    /// <summary>A call out on one of the outbound lines, until it is answered or given up.</summary>
    private sealed class PendingDial(string lineAddress, string address, string number)
    {
        public string LineAddress { get; } = lineAddress;
        public string Address { get; } = address;
        public string Number { get; } = number;
        public volatile string? CallId;
        public TaskCompletionSource<DialResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The caller's number from the SIP URI (sip:13911112222@host), or null when withheld or not a number (anonymous, unknown).</summary>
    private static string? NumberOf(string? uri)
    {
        if (uri is null) return null;
        var user = uri.Split(':', 2)[^1].Split('@')[0];
        return Backend.HotlineBackend.UsableNumber(user);
    }

    /// <summary>Runs commands for one call's account (and call) as one group, so no other line's group interleaves.</summary>
    internal async Task OnLineAsync(string aor, string? callId, Func<BaresipControl, Task> commands, CancellationToken ct)
    {
        await _commands.WaitAsync(ct);
        try
        {
            var control = _control ?? throw new InvalidOperationException("baresip is not running");
            await control.CommandAsync("uafind", aor, ct);
            if (callId is not null) await control.CommandAsync("callfind", callId, ct);
            await commands(control);
        }
        finally
        {
            _commands.Release();
        }
    }

    internal PromptAudio Prompts => _prompts;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _callsCounted.Dispose();
        foreach (var call in _calls.Values) call.End();
        if (_control is not null) await _control.DisposeAsync();
        if (_process is { HasExited: false }) { _process.Kill(); await _process.WaitForExitAsync(); }
        await _watch;
        await HangUpDeadCallsAsync(); // a hotline being stopped says goodbye on SIP too
    }
}

/// <summary>One call on a baresip line. Keys pressed while a prompt plays cut it short (barge-in) and are kept for the next question.</summary>
internal sealed class BaresipCall(BaresipLines lines, string id, string aor, string sink, string? callerNumber) : ICall
{
    private readonly Channel<char> _keys = Channel.CreateUnbounded<char>();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _keyPressedAt; // Stopwatch timestamp of the last key not yet answered by a prompt, 0 when none
    private long _playing; // counts the prompts started on this line, so a late switch to silence never cuts a newer prompt
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously); // to a person: prompts are over

    public string Id { get; } = id;
    public string? CallerNumber { get; } = callerNumber;
    public bool FromHomeTerminal { get; init; }
    /// <summary>The aubridge device this line plays what its caller says to: another call that listens to it hears them.</summary>
    internal string Sink { get; } = sink;
    /// <summary>Placed by the hotline (it stays known until baresip reports it closed).</summary>
    internal bool Outbound { get; init; }
    public bool Ended => _ended.Task.IsCompleted;

    /// <summary>Completes when the call ends, however it ends.</summary>
    internal Task Finished => _ended.Task;

    internal void Press(char key)
    {
        Interlocked.Exchange(ref _keyPressedAt, Stopwatch.GetTimestamp());
        _keys.Writer.TryWrite(key);
    }

    internal void End()
    {
        _ended.TrySetResult();
        _keys.Writer.TryComplete();
    }

    public Task SayAsync(string text, CancellationToken ct) => SayAsync(text, keysCutShort: true, ct);

    public Task SayWholeAsync(string text, CancellationToken ct) => SayAsync(text, keysCutShort: false, ct);

    public void DiscardKeys()
    {
        while (_keys.Reader.TryRead(out _)) { }
    }

    private async Task SayAsync(string text, bool keysCutShort, CancellationToken ct)
    {
        if (Ended || Connected) return;
        var prompt = await lines.Prompts.FileForAsync(text, ct);
        long playing = 0;
        await lines.OnLineAsync(aor, null, async c =>
        {
            if (Connected) return; // a person answered while the prompt was being made: they talk, no prompt cuts in
            await c.CommandAsync("ausrc", $"aufile,{prompt.Path}", ct);
            playing = Interlocked.Increment(ref _playing);
        }, ct);
        if (playing == 0) return;
        var startedAt = Stopwatch.GetTimestamp();
        if (Interlocked.Exchange(ref _keyPressedAt, 0) is var pressedAt and not 0)
            HotlineMetrics.KeyToPrompt.Record(Stopwatch.GetElapsedTime(pressedAt).TotalMilliseconds);
        // Until the words are said, a key is pressed (barge-in: the prompt stops), or the caller hangs up.
        var said = Task.Delay(Max(prompt.Speech - TimeSpan.FromSeconds(0.5), TimeSpan.Zero), ct);
        await Task.WhenAny(said, keysCutShort ? _keys.Reader.WaitToReadAsync(ct).AsTask() : said, _ended.Task, _connected.Task);
        if (Ended || Connected) return;
        var silenceIn = said.IsCompleted ? prompt.Duration - Stopwatch.GetElapsedTime(startedAt) - TimeSpan.FromSeconds(0.5) : TimeSpan.FromMilliseconds(300);
        _ = SilenceUnlessAnotherPromptAsync(playing, Max(silenceIn, TimeSpan.Zero));
    }

    /// <summary>
    /// Switches the line to the silence file after <paramref name="delay"/> (a prompt cut short by a key, or a file about
    /// to run out) unless another prompt has started by then. Most questions get their next prompt first, so a prompt
    /// usually costs baresip one command: each switch of audio source stalls baresip for several milliseconds, and
    /// with every line waiting on the same control connection, those stalls are what callers would hear as delay.
    /// </summary>
    private async Task SilenceUnlessAnotherPromptAsync(long playing, TimeSpan delay)
    {
        await Task.WhenAny(Task.Delay(delay), _ended.Task);
        if (Ended || Interlocked.Read(ref _playing) != playing) return;
        try
        {
            await lines.OnLineAsync(aor, null, c => Ended || Interlocked.Read(ref _playing) != playing
                ? Task.CompletedTask
                : c.CommandAsync("ausrc", $"aufile,{lines.SilencePath}", CancellationToken.None), CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // baresip or the call is gone: nothing left to keep quiet
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    public async Task<char?> ReadKeyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(timeout);
        try
        {
            return await _keys.Reader.ReadAsync(wait.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Connected to a person (see <see cref="ConnectAsync"/>): prompts are no longer said.</summary>
    private bool Connected => _connected.Task.IsCompleted;

    public async Task<Connection> ConnectAsync(string target, TimeSpan ringFor, CancellationToken ct, Task? stopRinging = null)
    {
        var started = Stopwatch.GetTimestamp();
        if (Ended) return new Connection(false, "来电已挂断", TimeSpan.Zero);
        var dialled = await lines.LinkAsync(target, ringFor, stopRinging is null ? Finished : Task.WhenAny(Finished, stopRinging), ct);
        var waited = Stopwatch.GetElapsedTime(started);
        if (dialled.Answered is not BaresipCall person)
            return new Connection(false, Ended ? "来电已挂断" : stopRinging?.IsCompleted == true ? "来电改按其他键" : dialled.Failure, waited);
        try
        {
            if (Ended) return new Connection(false, "来电已挂断", waited);
            // Each hears the other: this line's source becomes the person's sink, and the person's line's source this one's.
            await ListenToAsync(person.Sink, ct);
            await person.ListenToAsync(Sink, ct);
            await Task.WhenAny(Finished, person.Finished, Task.Delay(Timeout.Infinite, ct));
            return new Connection(true, null, waited);
        }
        finally
        {
            await person.HangUpAsync(CancellationToken.None);
            await HangUpAsync(CancellationToken.None);
        }
    }

    /// <summary>Plays another line's caller to this call (no prompt may switch it back: pending switches to silence see a newer start).</summary>
    private Task ListenToAsync(string otherSink, CancellationToken ct) => lines.OnLineAsync(aor, null, async c =>
    {
        _connected.TrySetResult();
        Interlocked.Increment(ref _playing);
        await c.CommandAsync("ausrc", $"aubridge,{otherSink}", ct);
    }, ct);

    public async Task HangUpAsync(CancellationToken ct)
    {
        if (Ended) return;
        try { await lines.OnLineAsync(aor, Id, c => c.CommandAsync("hangup", null, ct), ct); }
        catch (InvalidOperationException) { /* already gone */ }
        End();
    }
}

