using System.Diagnostics.Metrics;
using Eldercare.Hotline.Telephony;

namespace Eldercare.Tests;

/// <summary>The hotline's "calls in progress" gauge counts the calls of every set of lines, by direction, while the lines are up.</summary>
public sealed class HotlineMetricsTests
{
    [Fact]
    public void Calls_in_progress_are_counted_by_direction_while_the_lines_are_up_and_not_after()
    {
        // Far above what the other tests' lines ever hold at once, so their calls cannot be mistaken for these.
        var lines = HotlineMetrics.ObserveLines(() => (1000, 500));
        var during = Observe();
        lines.Dispose();
        var after = Observe();

        Assert.True(during["in"] >= 1000 && during["out"] >= 500, $"in {during["in"]}, out {during["out"]}");
        Assert.True(after["in"] < 1000 && after["out"] < 500, $"in {after["in"]}, out {after["out"]}");
    }

    private static Dictionary<string, int> Observe()
    {
        var seen = new Dictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Name == HotlineMetrics.CallsName) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) => seen[(string)tags[0].Value!] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }
}
