using System.ComponentModel.DataAnnotations;

namespace Eldercare.Hotline;

/// <summary>Settings of the hotline service (section "Hotline").</summary>
public sealed class HotlineOptions
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
}
