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

    /// <summary>True once the caller hung up or the line failed.</summary>
    bool Ended { get; }

    /// <summary>Says the text (rendered to speech, or a recorded prompt for a known text) and returns when it has been said.</summary>
    Task SayAsync(string text, CancellationToken ct);

    /// <summary>The next key the caller presses (0-9, * or #), or null if none comes within the timeout or the call ended.</summary>
    Task<char?> ReadKeyAsync(TimeSpan timeout, CancellationToken ct);

    /// <summary>Hands the call to a person (an agent, the station's duty line).</summary>
    Task TransferAsync(string target, CancellationToken ct);

    Task HangUpAsync(CancellationToken ct);
}
