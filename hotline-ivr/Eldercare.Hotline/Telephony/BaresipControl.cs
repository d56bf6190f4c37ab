using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Eldercare.Hotline.Telephony;

/// <summary>
/// baresip's ctrl_tcp protocol: netstring-framed JSON ("len:{...},") both ways. Commands carry a token that their
/// response repeats; events ({"event":true,"type":"CALL_..."}) arrive in between and are handed to <see cref="Events"/>.
/// </summary>
public sealed class BaresipControl : IAsyncDisposable
{
    private readonly TcpClient _tcp = new();
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _waiting = new();
    private readonly CancellationTokenSource _stop = new();
    private NetworkStream _stream = null!;
    private Task _reader = Task.CompletedTask;
    private long _tokens;

    /// <summary>Every event baresip sends, in order.</summary>
    public event Action<JsonElement>? Events;

    /// <summary>Completes when the connection is lost (baresip stopped).</summary>
    public Task Closed => _reader;

    public static async Task<BaresipControl> ConnectAsync(string host, int port, CancellationToken ct)
    {
        var control = new BaresipControl();
        await control._tcp.ConnectAsync(host, port, ct);
        control._stream = control._tcp.GetStream();
        control._reader = Task.Run(control.ReadLoopAsync);
        return control;
    }

    /// <summary>Runs a command (e.g. "uafind", "ausrc", "hangup") and returns baresip's response data; throws when it says not ok.</summary>
    public async Task<string> CommandAsync(string command, string? parameters, CancellationToken ct)
    {
        var token = Interlocked.Increment(ref _tokens).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[token] = answer;
        var json = JsonSerializer.Serialize(new { command, @params = parameters ?? "", token });
        var frame = Encoding.UTF8.GetBytes($"{Encoding.UTF8.GetByteCount(json)}:{json},");
        await _write.WaitAsync(ct);
        try
        {
            await _stream.WriteAsync(frame, ct);
        }
        finally
        {
            _write.Release();
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        await using var _ = timeout.Token.Register(() => answer.TrySetCanceled());
        var response = await answer.Task;
        if (!response.GetProperty("ok").GetBoolean()) throw new InvalidOperationException($"baresip refused {command}: {response.GetProperty("data").GetString()}");
        return response.TryGetProperty("data", out var data) ? data.GetString() ?? "" : "";
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await _stream.ReadAsync(chunk, _stop.Token);
                if (read == 0) return;
                buffer.AddRange(chunk.AsSpan(0, read));
                while (TryTakeFrame(buffer) is { } frame) Dispatch(frame);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the connection ended
        }
        finally
        {
            foreach (var waiting in _waiting.Values) waiting.TrySetCanceled();
        }
    }

    /// <summary>One whole netstring from the front of the buffer, or null until it has all arrived.</summary>
    private static byte[]? TryTakeFrame(List<byte> buffer)
    {
        var colon = buffer.IndexOf((byte)':');
        if (colon <= 0) return null;
        var length = int.Parse(Encoding.ASCII.GetString(buffer.GetRange(0, colon).ToArray()), System.Globalization.CultureInfo.InvariantCulture);
        if (buffer.Count < colon + 1 + length + 1) return null;
        var frame = buffer.GetRange(colon + 1, length).ToArray();
        buffer.RemoveRange(0, colon + 1 + length + 1);
        return frame;
    }

    private void Dispatch(byte[] frame)
    {
        var message = JsonDocument.Parse(frame).RootElement.Clone();
        if (message.TryGetProperty("response", out _) && message.TryGetProperty("token", out var token) && _waiting.TryRemove(token.GetString() ?? "", out var waiting))
            waiting.TrySetResult(message);
        else if (message.TryGetProperty("event", out _))
            Events?.Invoke(message);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _tcp.Dispose();
        try { await _reader; } catch (OperationCanceledException) { }
    }
}
