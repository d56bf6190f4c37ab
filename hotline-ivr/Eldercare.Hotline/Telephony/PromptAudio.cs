using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Eldercare.Hotline.Telephony;

/// <summary>A prompt as a WAV file baresip can play (8 kHz, mono, 16-bit): how long the file plays, and how long its words take.</summary>
public sealed record PromptFile(string Path, TimeSpan Duration, TimeSpan Speech);

/// <summary>
/// Turns what the hotline says into audio: Mandarin speech from espeak-ng (the cmn-latn-pinyin voice, which reads
/// Chinese characters with the right tones), converted by sox to 8 kHz mono 16-bit and followed by
/// <see cref="Trailer"/> of silence: baresip ends a call when its audio file runs out, and with the trailer the line
/// can wait for a key (and start the next prompt) without switching to a silence file in between.
/// Files are cached by a hash of the text and the speed; a recording with the same name in the recordings folder
/// is used instead (with the same trailer), so any fixed prompt can be replaced by a human voice.
/// </summary>
public sealed class PromptAudio(string cacheFolder, string? recordingsFolder, int wordsPerMinute)
{
    private readonly SemaphoreSlim _rendering = new(2, 2); // espeak-ng and sox are quick; two at a time keeps calls responsive

    /// <summary>How many prompts were rendered by speech synthesis (not found in the cache or the recordings) since start.</summary>
    public int Rendered;

    /// <summary>Silence after the words of a rendered prompt: longer than the usual wait for a key.</summary>
    public static readonly TimeSpan Trailer = TimeSpan.FromSeconds(12);

    public string FileNameFor(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{wordsPerMinute}|{Trailer.TotalSeconds}|{text}")))[..20] + ".wav";

    public async Task<PromptFile> FileForAsync(string text, CancellationToken ct)
    {
        var name = FileNameFor(text);
        // A recording is played as given, with the same trailer of silence as a rendered prompt (padded once, kept
        // in the cache): a recording that ran out while the caller thinks would end the call.
        var recording = recordingsFolder is null ? null : Path.Combine(recordingsFolder, name);
        if (recording is not null && !File.Exists(recording)) recording = null;
        var cached = Path.Combine(cacheFolder, recording is null ? name : "recorded-" + name);
        if (File.Exists(cached) && (recording is null || File.GetLastWriteTimeUtc(cached) >= File.GetLastWriteTimeUtc(recording))) return Describe(cached, Trailer);

        await _rendering.WaitAsync(ct);
        try
        {
            if (File.Exists(cached) && (recording is null || File.GetLastWriteTimeUtc(cached) >= File.GetLastWriteTimeUtc(recording))) return Describe(cached, Trailer);
            Directory.CreateDirectory(cacheFolder);
            var speech = Path.Combine(cacheFolder, $"{Guid.NewGuid():N}.22k.wav");
            var converted = Path.Combine(cacheFolder, $"{Guid.NewGuid():N}.8k.wav");
            try
            {
                if (recording is null)
                    await RunAsync("espeak-ng", ["-v", "cmn-latn-pinyin", "-s", wordsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture), "-w", speech, text], ct);
                await RunAsync("sox", [recording ?? speech, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", converted, "pad", "0", Trailer.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)], ct);
                File.Move(converted, cached, overwrite: true); // whole files only: another line may be reading it
                if (recording is null) Interlocked.Increment(ref Rendered);
            }
            finally
            {
                File.Delete(speech);
                File.Delete(converted);
            }
            return Describe(cached, Trailer);
        }
        finally
        {
            _rendering.Release();
        }
    }

    /// <summary>The duration from the WAV header (data bytes over bytes per second); the words end <paramref name="trailer"/> before.</summary>
    private static PromptFile Describe(string path, TimeSpan trailer)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        reader.BaseStream.Seek(28, SeekOrigin.Begin);
        var bytesPerSecond = reader.ReadInt32();
        reader.BaseStream.Seek(12, SeekOrigin.Begin);
        while (reader.BaseStream.Position < reader.BaseStream.Length - 8)
        {
            var chunk = Encoding.ASCII.GetString(reader.ReadBytes(4));
            var size = reader.ReadInt32();
            if (chunk == "data")
            {
                var duration = TimeSpan.FromSeconds((double)size / bytesPerSecond);
                return new PromptFile(path, duration, duration - trailer);
            }
            reader.BaseStream.Seek(size, SeekOrigin.Current);
        }
        throw new InvalidDataException($"{path} has no data chunk");
    }

    private static async Task RunAsync(string program, string[] args, CancellationToken ct)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {await errors}");
    }
}
