using System.Diagnostics.Metrics;

namespace Eldercare.Hotline.Telephony;

/// <summary>The hotline's own measurements (meter "Eldercare.Hotline"), for the benchmark and any metrics exporter.</summary>
public static class HotlineMetrics
{
    public const string MeterName = "Eldercare.Hotline", KeyToPromptName = "eldercare.hotline.key_to_prompt";

    public static readonly Meter Meter = new(MeterName);

    /// <summary>
    /// How long a caller waits after pressing a key before the next prompt starts: from the key's arrival at the line
    /// to the line playing the next prompt (the backend calls and any prompt rendering in between).
    /// </summary>
    public static readonly Histogram<double> KeyToPrompt = Meter.CreateHistogram<double>(KeyToPromptName, "ms",
        "From a key press to the next prompt starting");
}
