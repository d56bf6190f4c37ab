using Microsoft.Extensions.Options;

namespace Eldercare.Hotline;

/// <summary>
/// The hotline's long-running service. It reports the lines it will serve; answering calls through
/// baresip comes with the call flows.
/// </summary>
public sealed class HotlineService(IOptions<HotlineOptions> options, ILogger<HotlineService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        log.LogInformation("Hotline ready: {Lines} lines on {SipListen}, baresip control {BaresipControl}, backend {ApiBaseUrl}",
            o.Lines, o.SipListen, o.BaresipControl, o.ApiBaseUrl);
        await Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
        log.LogInformation("Hotline stopping");
    }
}
