using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Eldercare.Hotline.Telephony;

/// <summary>
/// The hotline's own measurements (meter "Eldercare.Hotline") and traces (source of the same name): key-to-prompt
/// latency, calls in progress by direction; each call is one trace, which its requests carry into the API.
/// </summary>
public static class HotlineMetrics
{
    public const string MeterName = "Eldercare.Hotline", KeyToPromptName = "eldercare.hotline.key_to_prompt", CallsName = "eldercare.hotline.calls";

    public static readonly Meter Meter = new(MeterName);
    public static readonly ActivitySource Activities = new(MeterName);

    /// <summary>
    /// How long a caller waits after pressing a key before the next prompt starts: from the key's arrival at the line
    /// to the line playing the next prompt (the backend calls and any prompt rendering in between).
    /// </summary>
    public static readonly Histogram<double> KeyToPrompt = Meter.CreateHistogram<double>(KeyToPromptName, "ms",
        "From a key press to the next prompt starting");

    private static readonly ConcurrentDictionary<object, Func<(int In, int Out)>> LineSets = new();

    /// <summary>Calls in progress, by direction (in: callers and terminals; out: reminders and check-in calls): how busy the lines are.</summary>
    public static readonly ObservableGauge<int> Calls = Meter.CreateObservableGauge(CallsName, ObserveCalls, description: "Calls in progress on the hotline's lines, by direction");

    /// <summary>A set of lines counts its calls into <see cref="Calls"/> until the returned handle is disposed.</summary>
    public static IDisposable ObserveLines(Func<(int In, int Out)> count)
    {
        var key = new object();
        LineSets[key] = count;
        return new Registration(() => LineSets.TryRemove(key, out _));
    }

    private static IEnumerable<Measurement<int>> ObserveCalls()
    {
        var counts = LineSets.Values.Select(c => c()).ToList();
        yield return new Measurement<int>(counts.Sum(c => c.In), new KeyValuePair<string, object?>("direction", "in"));
        yield return new Measurement<int>(counts.Sum(c => c.Out), new KeyValuePair<string, object?>("direction", "out"));
    }

    private sealed class Registration(Action end) : IDisposable
    {
        public void Dispose() => end();
    }
}
