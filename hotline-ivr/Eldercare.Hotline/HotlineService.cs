using Eldercare.Hotline.Backend;
using Eldercare.Hotline.Calls;
using Eldercare.Hotline.Telephony;
using Microsoft.Extensions.Options;

namespace Eldercare.Hotline;

/// <summary>
/// The hotline's long-running service: baresip's lines answer calls, and each answered call runs the inbound call
/// flow against the Eldercare API under the hotline's own log-in; the dialler makes the calls the hub queues.
/// </summary>
public sealed class HotlineService(IOptions<HotlineOptions> options, HotlineBackend backend, ILoggerFactory logs, ILogger<HotlineService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        log.LogInformation("Hotline ready: {Lines} lines and {OutboundLines} lines out on {SipListen}, baresip control {BaresipControl}, backend {ApiBaseUrl}",
            o.Lines, o.OutboundLines, o.SipListen, o.BaresipControl, o.ApiBaseUrl);
        var prompts = new PromptAudio(o.PromptCache, o.RecordedPrompts, o.SpeechRate);
        var (sipHost, sipPort) = HostPort(o.SipListen);
        var (_, controlPort) = HostPort(o.BaresipControl);
        var flowLog = logs.CreateLogger<InboundCallFlow>();
        BaresipLines? lines = null;
        try
        {
            lines = await BaresipLines.StartAsync(new BaresipSettings(o.Lines, sipHost, sipPort, controlPort, Path.Combine(Path.GetDirectoryName(o.PromptCache) ?? ".", "baresip"), o.OutboundLines, o.TerminalLines),
                prompts, call => new InboundCallFlow(call, backend, o, TimeProvider.System, flowLog).RunAsync(stoppingToken),
                logs.CreateLogger<BaresipLines>(), stoppingToken);
            if (o.OutboundLines > 0)
                await new OutboundDialler(lines, backend, o, TimeProvider.System, logs.CreateLogger<OutboundDialler>()).RunAsync(stoppingToken);
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or System.Net.Sockets.SocketException)
        {
            log.LogError("The hotline cannot answer calls: {Reason}", e.Message);
            await Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
        }
        finally
        {
            if (lines is not null) await lines.DisposeAsync();
            log.LogInformation("Hotline stopping");
        }
    }

    private static (string Host, int Port) HostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return (value[..colon], int.Parse(value[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
