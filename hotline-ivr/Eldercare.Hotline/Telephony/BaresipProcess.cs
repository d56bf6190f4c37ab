using System.Diagnostics;
using System.Text;

namespace Eldercare.Hotline.Telephony;

/// <summary>
/// One baresip process in a folder of its own, with the modules the hotline uses: G.711 audio, WAV files as the
/// source (aufile), a silent sink (aubridge), and ctrl_tcp on loopback for whoever drives it. Used by the hotline's
/// lines, and by tests and the benchmark for the phones that call in or are called.
/// </summary>
public static class BaresipProcess
{
    /// <summary>The folder's silence, played when nothing else is playing.</summary>
    public static string SilenceIn(string folder) => Path.Combine(folder, "silence.wav");

    /// <summary>
    /// One line of the accounts file: a SIP address that answers by itself or waits to be told (<paramref name="answers"/>),
    /// plays the folder's silence (or the WAV file <paramref name="plays"/>) until told otherwise, and sends what it hears
    /// to the named sink (nowhere, unless another call takes its audio from there: aubridge).
    /// </summary>
    public static string Account(string address, bool answers, string sink, string codecs = "PCMU,PCMA", string? plays = null) =>
        $"<{address}>;regint=0;answermode={(answers ? "auto" : "manual")};audio_codecs={codecs};audio_source=aufile,{plays ?? "{silence}"};audio_player=aubridge,{sink}";

    /// <summary>
    /// Writes the folder's config and accounts (one <see cref="Account"/> line each) and ten minutes of silence to play
    /// when nothing else is playing. <paramref name="recordInto"/>: a folder where every call's audio, both ways, is
    /// written as WAV (sndfile; the tests' phones use it to check what a caller heard).
    /// </summary>
    public static void Configure(string folder, string sipHost, int sipPort, int controlPort, IEnumerable<string> accounts, int? maxCallsPerAccount = null,
        string? recordInto = null)
    {
        Directory.CreateDirectory(folder);
        var silence = SilenceIn(folder);
        if (!File.Exists(silence)) File.WriteAllBytes(silence, Silence(TimeSpan.FromMinutes(10)));
        File.WriteAllText(Path.Combine(folder, "config"), string.Join('\n', new[]
        {
            "poll_method epoll", $"sip_listen {sipHost}:{sipPort}", $"net_interface {sipHost}",
            maxCallsPerAccount is { } max ? $"call_max_calls {max}" : "",
            "module_path /usr/lib/baresip/modules", "module g711.so", "module aufile.so", "module aubridge.so",
            recordInto is null ? "" : "module sndfile.so", recordInto is null ? "" : $"snd_path {recordInto}",
            "module_tmp uuid.so", "module_tmp account.so", "module_app menu.so", "module_app ctrl_tcp.so",
            $"ctrl_tcp_listen 127.0.0.1:{controlPort}", "audio_player aubridge,sink", $"audio_source aufile,{silence}", "",
        }.Where(l => l.Length > 0)) + "\n");
        File.WriteAllText(Path.Combine(folder, "accounts"), string.Concat(accounts.Select(a => a.Replace("{silence}", silence, StringComparison.Ordinal) + "\n")));
    }

    /// <summary>
    /// A free port for a baresip of tests or benchmarks to take SIP on. baresip also listens for SIP over TLS on the
    /// next port up, so both must be free; the port is chosen below the range the system hands out for port 0 (where
    /// control ports and HTTP servers of the same tests get theirs), so those never land on it.
    /// </summary>
    public static int FreeSipPort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = 20_000 + 2 * Random.Shared.Next(0, 5_000);
            if (attempt < 100 && !(IsFree(port) && IsFree(port + 1))) continue;
            return port;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var tcp = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            tcp.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
            using var udp = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            udp.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Starts baresip on the folder and connects to its control port once it listens. A baresip left running on the
    /// folder by an earlier start (its pid file says which; its process group was stopped without it) is stopped first,
    /// or it would keep the ports and every start after it would fail. <paramref name="sipTrace"/>: baresip prints every
    /// SIP message it sends or receives, and each line of its output is handed there.
    /// </summary>
    public static async Task<(Process Process, BaresipControl Control)> StartAsync(string folder, int controlPort, CancellationToken ct,
        Action<string?>? sipTrace = null)
    {
        var pidFile = Path.Combine(folder, "baresip.pid");
        StopLeftOver(pidFile, folder);
        var info = new ProcessStartInfo("baresip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add(folder);
        if (sipTrace is not null) info.ArgumentList.Add("-s");
        var process = Process.Start(info) ?? throw new InvalidOperationException("baresip did not start");
        process.OutputDataReceived += (_, e) => sipTrace?.Invoke(e.Data);
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        File.WriteAllText(pidFile, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return (process, await BaresipControl.ConnectAsync("127.0.0.1", controlPort, ct));
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 50 && !process.HasExited)
            {
                await Task.Delay(100, ct);
            }
            catch (System.Net.Sockets.SocketException) when (process.HasExited)
            {
                throw new InvalidOperationException($"baresip stopped at start (exit code {process.ExitCode}); is its SIP port or the one above it taken?");
            }
        }
    }

    private static void StopLeftOver(string pidFile, string folder)
    {
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile), out var pid)) return;
        try
        {
            // Only a baresip started on this folder: the pid may have been reused by anything since.
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            if (!commandLine.StartsWith("baresip", StringComparison.Ordinal) || !commandLine.Contains(folder, StringComparison.Ordinal)) return;
            using var leftOver = Process.GetProcessById(pid);
            leftOver.Kill();
            leftOver.WaitForExit(5000);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // gone already
        }
    }

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
}
