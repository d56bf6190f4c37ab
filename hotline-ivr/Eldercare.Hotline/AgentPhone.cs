using System.Diagnostics;
using Eldercare.Hotline.Telephony;
using Microsoft.Extensions.Options;

namespace Eldercare.Hotline;

/// <summary>
/// A person to reach on this machine (<c>Eldercare.Hotline.dll agent-phone</c>, started by <c>./eldercare.sh hotline</c>):
/// one baresip that answers, as a person would, the hotline's agent line, the duty phones listed in
/// <c>AgentPhone:DutyNumbers</c> (the demo stations') and the district duty line, says who answered and then stays on
/// the line, so every way to a person ends somewhere real.
/// Where real agents and duty phones exist, it is not started (<c>HOTLINE_AGENT_PHONE=0</c>) and the settings point at them.
/// </summary>
public sealed class AgentPhone(IOptions<HotlineOptions> options, IConfiguration configuration, ILogger<AgentPhone> log) : BackgroundService
{
    public const string Greeting = "您好，我是热线值班员，请讲。";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var addresses = new[] { o.AgentLine, o.DistrictDutyLine }.Where(a => a.Length > 0)
            .Concat((configuration.GetSection("AgentPhone:DutyNumbers").Get<string[]>() ?? []).Select(n => string.Format(o.DutyLine, n))).Distinct().ToList();
        var hosts = addresses.Select(HotlineOptions.SipHostPort).Distinct().ToList();
        if (hosts is not [(string host, int port)])
        {
            log.LogError("The agent phone answers on one address; the agent and duty lines point at {Hosts}", string.Join(", ", hosts));
            return;
        }
        var folder = Path.Combine(Path.GetDirectoryName(o.PromptCache) ?? ".", "agent-phone");
        var voice = await RenderAsync(Path.Combine(folder, "agent.wav"), stoppingToken);
        var control = FreePort();
        BaresipProcess.Configure(folder, host, port, control, addresses.Select(a => BaresipProcess.Account(a, answers: true, "agent", plays: voice)));
        var (process, phone) = await BaresipProcess.StartAsync(folder, control, stoppingToken);
        phone.Events += e =>
        {
            if (e.GetProperty("type").GetString() == "CALL_ESTABLISHED")
                log.LogInformation("Agent phone: {Line} answered a call from {From}", e.GetProperty("accountaor").GetString(), e.GetProperty("peeruri").GetString());
        };
        log.LogInformation("Agent phone answers {Count} lines on {Host}:{Port}: {Lines}", addresses.Count, host, port, string.Join(", ", addresses));
        try
        {
            await Task.WhenAny(process.WaitForExitAsync(stoppingToken), Task.Delay(Timeout.Infinite, stoppingToken));
        }
        catch (OperationCanceledException) { }
        finally
        {
            await phone.DisposeAsync();
            if (!process.HasExited) process.Kill();
        }
    }

    /// <summary>The person's words, then ten minutes of silence: the line stays open while they would be talking.</summary>
    private static async Task<string> RenderAsync(string path, CancellationToken ct)
    {
        if (File.Exists(path)) return path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var speech = path + ".22k.wav";
        foreach (var (program, args) in new[]
        {
            ("espeak-ng", new[] { "-v", "cmn-latn-pinyin", "-s", "140", "-w", speech, Greeting }),
            ("sox", new[] { speech, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", path, "pad", "0", "600" }),
        })
        {
            using var run = Process.Start(program, args) ?? throw new InvalidOperationException($"{program} did not start");
            await run.WaitForExitAsync(ct);
        }
        File.Delete(speech);
        return path;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
