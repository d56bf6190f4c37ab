using System.ComponentModel.DataAnnotations;

namespace Eldercare.Hotline;

/// <summary>Settings of the hotline service (section "Hotline").</summary>
public sealed class HotlineOptions : IValidatableObject
{
    /// <summary>How many calls can be in progress at once: one SIP account (ivr1..ivrN) per line.</summary>
    [Range(1, 500)] public int Lines { get; set; } = 4;

    /// <summary>Where baresip's ctrl_tcp module listens, host:port on loopback.</summary>
    [Required, RegularExpression(@"^[A-Za-z0-9.\-]+:\d{1,5}$", ErrorMessage = "must be host:port")]
    public string BaresipControl { get; set; } = "127.0.0.1:4444";

    /// <summary>The SIP address the lines answer on, e.g. 127.0.0.1:5060.</summary>
    [Required, RegularExpression(@"^[A-Za-z0-9.\-]+:\d{1,5}$", ErrorMessage = "must be host:port")]
    public string SipListen { get; set; } = "127.0.0.1:5060";

    /// <summary>The Eldercare API the hotline books through.</summary>
    [Required, Url] public string ApiBaseUrl { get; set; } = "";

    /// <summary>Mandarin prompts are spoken at about this many words a minute (elder-friendly: 130-145).</summary>
    [Range(100, 180)] public int SpeechRate { get; set; } = 140;

    /// <summary>How long the hotline waits for a key before saying it heard none.</summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:00:30")] public TimeSpan KeyTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Missed or wrong keys in a row after which the caller is put through to a person.</summary>
    [Range(1, 10)] public int MaxFailures { get; set; } = 3;

    /// <summary>How long a caller may stay in the menus; then they hear a polite goodbye. A talk with a person has no limit.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")] public TimeSpan MaxCallLength { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Where "a person" is first: the agents' queue (a SIP URI). The default is the agent phone that
    /// <c>./eldercare.sh hotline</c> starts beside the hotline (<c>agent-phone</c>).
    /// </summary>
    [Required] public string AgentLine { get; set; } = "sip:agents@127.0.0.1:5096";

    /// <summary>The elder's station's duty phone, tried next (first in an emergency): {0} is the station's duty number.</summary>
    [Required] public string DutyLine { get; set; } = "sip:{0}@127.0.0.1:5096";

    /// <summary>The district's duty line, the last person tried; empty for none.</summary>
    public string DistrictDutyLine { get; set; } = "sip:district-duty@127.0.0.1:5096";

    /// <summary>How long each person is rung before the next one is tried.</summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:02:00")] public TimeSpan PersonRingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long the hotline waits for one answer of the API before it tries once more (reads) or gives up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:00:30")] public TimeSpan ApiTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Where Prometheus scrapes the hotline's metrics (host, port and path, e.g. http://127.0.0.1:5097/metrics); empty: not served.</summary>
    public string? MetricsUrl { get; set; }

    /// <summary>Lines the one-key terminals in elders' homes call (term1..termN): a person answers at once, 9 is an emergency.</summary>
    [Range(0, 100)] public int TerminalLines { get; set; } = 1;

    /// <summary>Lines that place calls (reminders, check-in calls), apart from the lines that answer: out1..outN.</summary>
    [Range(0, 100)] public int OutboundLines { get; set; } = 2;

    /// <summary>Where calls out go: {0} is the elder's number (a SIP trunk or gateway to the phone network).</summary>
    [Required] public string OutboundRoute { get; set; } = "sip:{0}@127.0.0.1:5070";

    /// <summary>How long a call out rings before it counts as unanswered.</summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:02:00")] public TimeSpan RingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the hub's queue of calls to make is read.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")] public TimeSpan QueuePoll { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Calls out are made from this time (Beijing time)...</summary>
    public TimeOnly CallsFrom { get; set; } = new(8, 0);

    /// <summary>...until this time; calls queued later wait for the next morning.</summary>
    public TimeOnly CallsUntil { get; set; } = new(20, 30);

    /// <summary>Secret: the hotline's key for the API (Hotline__ServiceKey), the same as the API's Services:HotlineKey.</summary>
    public string ServiceKey { get; set; } = "";

    public Calls.Prompts Prompts { get; set; } = new();

    /// <summary>Where rendered prompts are cached (by a hash of text and speed).</summary>
    [Required] public string PromptCache { get; set; } = "data/prompts";

    /// <summary>Recordings that replace rendered prompts: a file named as the rendered one (see the cache) is played instead.</summary>
    public string? RecordedPrompts { get; set; }

    /// <summary>A person's address must not be one of the hotline's own lines: a call put through there would reach nobody.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        foreach (var (name, address) in new[] { (nameof(AgentLine), AgentLine), (nameof(DutyLine), DutyLine), (nameof(DistrictDutyLine), DistrictDutyLine) })
            if (address.Length > 0 && SipHostPort(address) is var (host, port) && $"{host}:{port}".Equals(SipListen, StringComparison.OrdinalIgnoreCase))
                yield return new ValidationResult($"points at the hotline's own SIP address ({SipListen}); a person must answer there", [name]);
    }

    /// <summary>Host and port of a SIP URI (sip:user@host[:port]; 5060 when no port is given), or null when it is not one.</summary>
    internal static (string Host, int Port)? SipHostPort(string uri)
    {
        if (!uri.StartsWith("sip:", StringComparison.OrdinalIgnoreCase)) return null;
        var hostPort = uri[4..].Split('@')[^1].Split(';')[0];
        var colon = hostPort.LastIndexOf(':');
        return colon < 0 ? (hostPort, 5060)
            : int.TryParse(hostPort[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var port) ? (hostPort[..colon], port) : null;
    }
}
