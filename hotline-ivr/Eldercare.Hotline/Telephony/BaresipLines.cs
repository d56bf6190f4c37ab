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
/// find every line busy with reminders. If baresip dies it is started again, and the calls it carried end.
/// </summary>
public sealed class BaresipLines : IDialler, IAsyncDisposable
{
    private readonly BaresipSettings _settings;
    private readonly PromptAudio _prompts;
    private readonly Func<ICall, Task> _onCall;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, BaresipCall> _calls = new();
    private readonly SemaphoreSlim _commands = new(1, 1); // uafind selects the account for the next command: one group at a time
    private readonly CancellationTokenSource _stop = new();
    private Process? _process;
    private BaresipControl? _control;
    private Task _watch = Task.CompletedTask;
    private readonly ConcurrentQueue<int> _freeOutbound = new();
    private readonly SemaphoreSlim _outboundFree;
    private readonly ConcurrentDictionary<string, PendingDial> _dialling = new(); // by the outbound line's address

    private BaresipLines(BaresipSettings settings, PromptAudio prompts, Func<ICall, Task> onCall, ILogger log)
    {
        (_settings, _prompts, _onCall, _log) = (settings, prompts, onCall, log);
        for (var line = 1; line <= settings.OutboundLines; line++) _freeOutbound.Enqueue(line);
        _outboundFree = new SemaphoreSlim(settings.OutboundLines);
    }

    public string SilencePath => BaresipProcess.SilenceIn(_settings.Folder);

    public string AddressOf(int line) => $"sip:ivr{line}@{_settings.SipHost}:{_settings.SipPort}";

    private string OutboundAddressOf(int line) => $"sip:out{line}@{_settings.SipHost}:{_settings.SipPort}";

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
        // Calls end when their audio file ends: ten minutes of silence plays between prompts. One call per line,
        // since switching a prompt switches the audio of every call on an account.
        BaresipProcess.Configure(s.Folder, s.SipHost, s.SipPort, s.ControlPort,
            Enumerable.Range(1, s.Lines).Select(n => BaresipProcess.Account(AddressOf(n), answers: true, $"sink{n}"))
                .Concat(Enumerable.Range(1, s.TerminalLines).Select(n => BaresipProcess.Account(TerminalAddressOf(n), answers: true, $"termsink{n}")))
                .Concat(Enumerable.Range(1, s.OutboundLines).Select(n => BaresipProcess.Account(OutboundAddressOf(n), answers: false, $"outsink{n}"))),
            maxCallsPerAccount: 1);
    }

    private async Task StartBaresipAsync(CancellationToken ct)
    {
        (_process, _control) = await BaresipProcess.StartAsync(_settings.Folder, _settings.ControlPort, ct);
        _control.Events += OnEvent;
        _log.LogInformation("baresip serves {Lines} lines on {Host}:{Port}", _settings.Lines, _settings.SipHost, _settings.SipPort);
    }

    /// <summary>baresip stopping on its own is a failure: the calls it carried end, and it is started again.</summary>
    private async Task WatchAsync()
    {
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
            foreach (var call in _calls.Values) call.End();
            _calls.Clear();
            foreach (var dial in _dialling.Values) dial.Done.TrySetResult(DialResult.NotAnswered("线路故障"));
            if (_control is not null) await _control.DisposeAsync();
            await Task.Delay(500);
            try { await StartBaresipAsync(_stop.Token); }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception) { _log.LogError(e, "baresip could not be started again"); }
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
                var call = new BaresipCall(this, id, line, NumberOf(e.GetProperty("peeruri").GetString()))
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
                var call = new BaresipCall(this, id, dial.LineAddress, dial.Number) { Outbound = true };
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

    public async Task<DialResult> DialAsync(string address, string number, TimeSpan ringFor, CancellationToken ct)
    {
        await _outboundFree.WaitAsync(ct);
        _freeOutbound.TryDequeue(out var line);
        var dial = new PendingDial(OutboundAddressOf(line), address, number);
        _dialling[dial.LineAddress] = dial;
        var result = DialResult.NotAnswered("线路故障");
        try
        {
            await OnLineAsync(dial.LineAddress, null, c => c.CommandAsync("dial", address, ct), ct);
            if (await Task.WhenAny(dial.Done.Task, Task.Delay(ringFor, ct)) != dial.Done.Task)
            {
                // Rung long enough: stop ringing. The hang-up closes the call, which settles the dial (as answered, if
                // it was picked up at the last moment).
                try { await OnLineAsync(dial.LineAddress, dial.CallId, c => c.CommandAsync("hangup", null, ct), ct); }
                catch (InvalidOperationException) { /* it closed meanwhile */ }
                await Task.WhenAny(dial.Done.Task, Task.Delay(TimeSpan.FromSeconds(2), ct));
                if (!dial.Done.TrySetResult(DialResult.NotAnswered("无人接听")) && dial.Done.Task.Result.Answered is BaresipCall late)
                    await late.HangUpAsync(ct);
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
                _ = answered.Finished.ContinueWith(_ => FreeLine(line), TaskScheduler.Default);
            else
                FreeLine(line);
        }
    }

    private void FreeLine(int line)
    {
        _freeOutbound.Enqueue(line);
        _outboundFree.Release();
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

    /// <summary>The caller's number from the SIP URI (sip:13911112222@host), or null when withheld (anonymous).</summary>
    private static string? NumberOf(string? uri)
    {
        if (uri is null) return null;
        var user = uri.Split(':', 2)[^1].Split('@')[0];
        return user.Length == 0 || user.Equals("anonymous", StringComparison.OrdinalIgnoreCase) ? null : user;
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
        foreach (var call in _calls.Values) call.End();
        if (_control is not null) await _control.DisposeAsync();
        if (_process is { HasExited: false }) { _process.Kill(); await _process.WaitForExitAsync(); }
        await _watch;
    }
}

/// <summary>One call on a baresip line. Keys pressed while a prompt plays cut it short (barge-in) and are kept for the next question.</summary>
internal sealed class BaresipCall(BaresipLines lines, string id, string aor, string? callerNumber) : ICall
{
    private readonly Channel<char> _keys = Channel.CreateUnbounded<char>();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _keyPressedAt; // Stopwatch timestamp of the last key not yet answered by a prompt, 0 when none
    private long _playing; // counts the prompts started on this line, so a late switch to silence never cuts a newer prompt

    public string Id { get; } = id;
    public string? CallerNumber { get; } = callerNumber;
    public bool FromHomeTerminal { get; init; }
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

    public async Task SayAsync(string text, CancellationToken ct)
    {
        if (Ended) return;
        var prompt = await lines.Prompts.FileForAsync(text, ct);
        long playing = 0;
        await lines.OnLineAsync(aor, null, async c =>
        {
            await c.CommandAsync("ausrc", $"aufile,{prompt.Path}", ct);
            playing = Interlocked.Increment(ref _playing);
        }, ct);
        var startedAt = Stopwatch.GetTimestamp();
        if (Interlocked.Exchange(ref _keyPressedAt, 0) is var pressedAt and not 0)
            HotlineMetrics.KeyToPrompt.Record(Stopwatch.GetElapsedTime(pressedAt).TotalMilliseconds);
        // Until the words are said, a key is pressed (barge-in: the prompt stops), or the caller hangs up.
        var said = Task.Delay(Max(prompt.Speech - TimeSpan.FromSeconds(0.5), TimeSpan.Zero), ct);
        await Task.WhenAny(said, _keys.Reader.WaitToReadAsync(ct).AsTask(), _ended.Task);
        if (Ended) return;
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

    public Task TransferAsync(string target, CancellationToken ct) =>
        Ended ? Task.CompletedTask : lines.OnLineAsync(aor, Id, c => c.CommandAsync("transfer", target, ct), ct);

    public async Task HangUpAsync(CancellationToken ct)
    {
        if (Ended) return;
        try { await lines.OnLineAsync(aor, Id, c => c.CommandAsync("hangup", null, ct), ct); }
        catch (InvalidOperationException) { /* already gone */ }
        End();
    }
}

