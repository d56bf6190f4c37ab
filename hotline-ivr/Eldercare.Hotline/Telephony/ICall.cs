namespace Eldercare.Hotline.Telephony;

/// <summary>
/// One phone call, as the call flows see it: what they can do with a call, whatever carries it (baresip over
/// ctrl_tcp here; a PBX or a cloud contact centre could implement the same).
/// </summary>
public interface ICall
{
    string Id { get; }

    /// <summary>The caller's number, or null when withheld.</summary>
    string? CallerNumber { get; }

    /// <summary>The call came from the one-key terminal in an elder's home (a single button: no menu, a person at once).</summary>
    bool FromHomeTerminal => false;

    /// <summary>True once the caller hung up or the line failed.</summary>
    bool Ended { get; }

    /// <summary>Says the text (rendered to speech, or a recorded prompt for a known text) and returns when it has been said.</summary>
    Task SayAsync(string text, CancellationToken ct);

    /// <summary>Says the text to its end: keys pressed meanwhile do not cut it short (they stay until <see cref="DiscardKeys"/>).</summary>
    Task SayWholeAsync(string text, CancellationToken ct);

    /// <summary>Forgets keys pressed and not yet read.</summary>
    void DiscardKeys();

    /// <summary>The next key the caller presses (0-9, * or #), or null if none comes within the timeout or the call ended.</summary>
    Task<char?> ReadKeyAsync(TimeSpan timeout, CancellationToken ct);

    /// <summary>
    /// Rings <paramref name="target"/> (a person: the agents, a duty phone) for up to <paramref name="ringFor"/> while the
    /// caller stays on this call. When it answers, the two are connected and this returns once their conversation ends;
    /// otherwise it returns, in plain words, why nobody was reached (无人接听, 占线或拒接, ...), and the caller is still here.
    /// Once connected, no prompt is said on this call any more. <paramref name="stopRinging"/> completing ends the ringing
    /// early (the caller pressed a key to do something else): a phone picked up at that moment is hung up again.
    /// </summary>
    Task<Connection> ConnectAsync(string target, TimeSpan ringFor, CancellationToken ct, Task? stopRinging = null);

    Task HangUpAsync(CancellationToken ct);
}

/// <summary>Places calls out (reminder and check-in calls), whatever carries them.</summary>
public interface IDialler
{
    /// <summary>
    /// Calls <paramref name="address"/> (the number <paramref name="number"/> on the route out) and lets it ring for up to
    /// <paramref name="ringFor"/>: the answered call, or in plain words why there is none (无人接听, 占线或拒接, ...).
    /// Waits for a free outbound line first.
    /// </summary>
    Task<DialResult> DialAsync(string address, string number, TimeSpan ringFor, CancellationToken ct);

    /// <summary>The elders on a call with the hotline right now (by the number they called from), whom no call out should ring.</summary>
    bool IsOnCall(string number) => false;
}

/// <summary>Whether the person rung answered (and the caller talked to them), or why not; how long the caller waited.</summary>
public sealed record Connection(bool Reached, string? Failure, TimeSpan Waited);

/// <summary>An answered call, or the reason the call was not answered.</summary>
public sealed record DialResult(ICall? Answered, string? Failure)
{
    public static DialResult NotAnswered(string reason) => new(null, reason);
}
