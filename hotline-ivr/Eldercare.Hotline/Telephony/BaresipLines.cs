using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Eldercare.Hotline.Telephony;

/// <summary>Where baresip listens: SIP on sipHost:sipPort, its control on 127.0.0.1:controlPort, its files in folder.</summary>
public sealed record BaresipSettings(int Lines, string SipHost, int SipPort, int ControlPort, string Folder);

/// <summary>
/// The hotline's phone lines on baresip: one SIP account per line (ivr1..ivrN, one call each, since switching a
/// prompt switches the audio of every call on an account), driven over ctrl_tcp. Each answered call is handed to
/// the call handler as an <see cref="ICall"/>. If baresip dies it is started again, and the calls it carried end.
/// </summary>
public sealed class BaresipLines : IAsyncDisposable
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

    private BaresipLines(BaresipSettings settings, PromptAudio prompts, Func<ICall, Task> onCall, ILogger log) =>
        (_settings, _prompts, _onCall, _log) = (settings, prompts, onCall, log);

    public string SilencePath => Path.Combine(_settings.Folder, "silence.wav");

    public string AddressOf(int line) => $"sip:ivr{line}@{_settings.SipHost}:{_settings.SipPort}";

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
        Directory.CreateDirectory(s.Folder);
        // Calls end when their audio file ends: ten minutes of silence plays between prompts.
        if (!File.Exists(SilencePath)) File.WriteAllBytes(SilencePath, Silence(TimeSpan.FromMinutes(10)));
        File.WriteAllText(Path.Combine(s.Folder, "config"), string.Join('\n',
            "poll_method epoll", $"sip_listen {s.SipHost}:{s.SipPort}", $"net_interface {s.SipHost}", "call_max_calls 1",
            "module_path /usr/lib/baresip/modules", "module g711.so", "module aufile.so", "module aubridge.so",
            "module_tmp uuid.so", "module_tmp account.so", "module_app menu.so", "module_app ctrl_tcp.so",
            $"ctrl_tcp_listen 127.0.0.1:{s.ControlPort}", "audio_player aubridge,sink", $"audio_source aufile,{SilencePath}", ""));
        File.WriteAllText(Path.Combine(s.Folder, "accounts"), string.Concat(Enumerable.Range(1, s.Lines).Select(n =>
            $"<{AddressOf(n)}>;regint=0;answermode=auto;audio_codecs=PCMU,PCMA;audio_source=aufile,{SilencePath};audio_player=aubridge,sink{n}\n")));
    }

    private async Task StartBaresipAsync(CancellationToken ct)
    {
        var info = new ProcessStartInfo("baresip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add(_settings.Folder);
        _process = Process.Start(info) ?? throw new InvalidOperationException("baresip did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                _control = await BaresipControl.ConnectAsync("127.0.0.1", _settings.ControlPort, ct);
                break;
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 50 && !_process.HasExited)
            {
                await Task.Delay(100, ct);
            }
        }
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
        switch (type)
        {
            case "CALL_ESTABLISHED" when e.GetProperty("direction").GetString() == "incoming":
                var call = new BaresipCall(this, id, e.GetProperty("accountaor").GetString()!, NumberOf(e.GetProperty("peeruri").GetString()));
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
                break;
        }
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

    private static byte[] Silence(TimeSpan length)
    {
        var data = (int)(8000 * 2 * length.TotalSeconds);
        using var wav = new MemoryStream();
        using var w = new BinaryWriter(wav);
        w.Write(Encoding.ASCII.GetBytes("RIFF")); w.Write(36 + data); w.Write(Encoding.ASCII.GetBytes("WAVEfmt "));
        w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(8000); w.Write(16000); w.Write((short)2); w.Write((short)16);
        w.Write(Encoding.ASCII.GetBytes("data")); w.Write(data); w.Write(new byte[data]);
        return wav.ToArray();
    }

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

    public string Id { get; } = id;
    public string? CallerNumber { get; } = callerNumber;
    public bool Ended => _ended.Task.IsCompleted;

    internal void Press(char key) => _keys.Writer.TryWrite(key);

    internal void End()
    {
        _ended.TrySetResult();
        _keys.Writer.TryComplete();
    }

    public async Task SayAsync(string text, CancellationToken ct)
    {
        if (Ended) return;
        var prompt = await lines.Prompts.FileForAsync(text, ct);
        await lines.OnLineAsync(aor, null, c => c.CommandAsync("ausrc", $"aufile,{prompt.Path}", ct), ct);
        // Until the words are said (the file ends with a second of silence), a key is pressed, or the caller hangs up.
        var said = Task.Delay(prompt.Duration - TimeSpan.FromSeconds(0.5), ct);
        await Task.WhenAny(said, _keys.Reader.WaitToReadAsync(ct).AsTask(), _ended.Task);
        if (!Ended) await lines.OnLineAsync(aor, null, c => c.CommandAsync("ausrc", $"aufile,{lines.SilencePath}", ct), ct);
    }

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
