using System.Diagnostics;
using System.Text;

namespace Eldercare.Hotline.Tests;

/// <summary>The hotline service as a real process: it starts, reads its settings and says so in its log.</summary>
public sealed class HotlineHostTests
{
    private static string HotlineDll()
    {
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var root = tfm;
        while (!File.Exists(Path.Combine(root!.FullName, "Eldercare.sln"))) root = root.Parent;
        return Path.Combine(root.FullName, "hotline-ivr", "Eldercare.Hotline", "bin", tfm.Parent!.Name, tfm.Name, "Eldercare.Hotline.dll");
    }

    private static (Process Process, StringBuilder Output) Start(Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet", [HotlineDll()]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var output = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    [Fact]
    public async Task It_starts_and_logs_the_lines_it_will_serve()
    {
        var (process, output) = Start(new() { ["Hotline__Lines"] = "8", ["Hotline__ApiBaseUrl"] = "http://127.0.0.1:5999" });
        try
        {
            string text = "";
            for (var i = 0; i < 300 && !text.Contains("Hotline ready"); i++)
            {
                await Task.Delay(100);
                lock (output) text = output.ToString();
            }
            Assert.Contains("Hotline ready: 8 lines", text);
            Assert.Contains("http://127.0.0.1:5999", text);
            Assert.False(process.HasExited);
        }
        finally
        {
            process.Kill(entireProcessTree: true); // baresip too
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Bad_settings_stop_it_with_a_message_naming_each_key()
    {
        var (process, output) = Start(new()
        {
            ["Hotline__Lines"] = "0", ["Hotline__BaresipControl"] = "nowhere", ["Hotline__ApiBaseUrl"] = "not a url",
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        process.WaitForExit();
        var text = output.ToString();
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("Hotline:Lines", text);
        Assert.Contains("Hotline:BaresipControl: must be host:port", text);
        Assert.Contains("Hotline:ApiBaseUrl", text);
    }

    [Fact]
    public async Task A_person_to_reach_on_the_hotlines_own_lines_is_refused_at_start()
    {
        // The hotline's own port (5060): a caller put through there would reach nobody.
        var (process, output) = Start(new() { ["Hotline__ApiBaseUrl"] = "http://127.0.0.1:5999", ["Hotline__AgentLine"] = "sip:agents@127.0.0.1" });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        process.WaitForExit();
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("Hotline:AgentLine: points at the hotline's own SIP address (127.0.0.1:5060)", output.ToString());
    }
}
