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
    /// <summary>
    /// Writes the folder's config and accounts (one SIP address per line of <paramref name="accounts"/>, each with its
    /// own settings) and ten minutes of silence to play when nothing else is playing.
    /// </summary>
    public static string Configure(string folder, string sipHost, int sipPort, int controlPort, IEnumerable<string> accounts, int? maxCallsPerAccount = null)
    {
        Directory.CreateDirectory(folder);
        var silence = Path.Combine(folder, "silence.wav");
        if (!File.Exists(silence)) File.WriteAllBytes(silence, Silence(TimeSpan.FromMinutes(10)));
        File.WriteAllText(Path.Combine(folder, "config"), string.Join('\n', new[]
        {
            "poll_method epoll", $"sip_listen {sipHost}:{sipPort}", $"net_interface {sipHost}",
            maxCallsPerAccount is { } max ? $"call_max_calls {max}" : "",
            "module_path /usr/lib/baresip/modules", "module g711.so", "module aufile.so", "module aubridge.so",
            "module_tmp uuid.so", "module_tmp account.so", "module_app menu.so", "module_app ctrl_tcp.so",
            $"ctrl_tcp_listen 127.0.0.1:{controlPort}", "audio_player aubridge,sink", $"audio_source aufile,{silence}", "",
        }.Where(l => l.Length > 0)) + "\n");
        File.WriteAllText(Path.Combine(folder, "accounts"), string.Concat(accounts.Select(a => a.Replace("{silence}", silence, StringComparison.Ordinal) + "\n")));
        return silence;
    }

    /// <summary>Starts baresip on the folder and connects to its control port once it listens.</summary>
    public static async Task<(Process Process, BaresipControl Control)> StartAsync(string folder, int controlPort, CancellationToken ct)
    {
        var info = new ProcessStartInfo("baresip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add(folder);
        var process = Process.Start(info) ?? throw new InvalidOperationException("baresip did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
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
