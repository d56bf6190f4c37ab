using Eldercare.Hotline.Telephony;

namespace Eldercare.Tests;

/// <summary>The hotline's prompts as audio: espeak-ng and sox for real, cached, replaceable by recordings.</summary>
public sealed class PromptAudioTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "eldercare-prompts-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_prompt_becomes_an_8_kHz_mono_16_bit_WAV_once_and_is_timed_from_its_length()
    {
        var audio = new PromptAudio(Path.Combine(_folder, "cache"), null, 140);

        var first = await audio.FileForAsync("您好，这里是社区养老服务热线。", CancellationToken.None);
        var again = await audio.FileForAsync("您好，这里是社区养老服务热线。", CancellationToken.None);

        Assert.Equal(first.Path, again.Path);
        Assert.Equal(1, audio.Rendered);
        var header = File.ReadAllBytes(first.Path)[..44];
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(header, 0, 4));
        Assert.Equal(1, BitConverter.ToInt16(header, 20)); // PCM
        Assert.Equal(1, BitConverter.ToInt16(header, 22)); // mono
        Assert.Equal(8000, BitConverter.ToInt32(header, 24));
        Assert.Equal(16, BitConverter.ToInt16(header, 34));
        Assert.InRange(first.Speech.TotalSeconds, 1.5, 11); // a short sentence said slowly...
        Assert.Equal(first.Speech + PromptAudio.Trailer, first.Duration); // ...then silence the line plays while it waits for a key
        var slower = await new PromptAudio(Path.Combine(_folder, "cache"), null, 110).FileForAsync("您好，这里是社区养老服务热线。", CancellationToken.None);
        Assert.True(slower.Speech > first.Speech);
    }

    [Fact]
    public async Task A_recording_with_the_prompts_name_replaces_the_synthetic_voice()
    {
        var recordings = Path.Combine(_folder, "recordings");
        Directory.CreateDirectory(recordings);
        var audio = new PromptAudio(Path.Combine(_folder, "cache"), recordings, 140);
        var rendered = await audio.FileForAsync("感谢您的来电，再见。", CancellationToken.None);
        File.Copy(rendered.Path, Path.Combine(recordings, audio.FileNameFor("感谢您的来电，再见。"))); // a studio recording, say

        var used = await audio.FileForAsync("感谢您的来电，再见。", CancellationToken.None);

        // The recording is played, with the same trailer of silence after it as a rendered prompt (so it never runs out while the line waits).
        Assert.Equal(Path.Combine(_folder, "cache", "recorded-" + audio.FileNameFor("感谢您的来电，再见。")), used.Path);
        Assert.Equal(rendered.Duration + PromptAudio.Trailer, used.Duration);
        Assert.Equal(rendered.Duration, used.Speech);
        Assert.Equal(1, audio.Rendered);
    }
}
