using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Eldercare.Tests.Support;

/// <summary>The built API started as a real process, the way `./eldercare.sh run` starts it.</summary>
public sealed class ApiProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ApiProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The settings a test process runs with: its own database, Redis key prefix and keys.</summary>
    public static Dictionary<string, string> EnvironmentFor(TestDatabase database, string environment = "Testing") => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = environment,
        ["Database__Provider"] = database.Provider,
        ["Database__ConnectionString"] = database.ConnectionString,
        ["Redis__Configuration"] = TestServers.Redis,
        ["Redis__KeyPrefix"] = $"test-{Guid.NewGuid():N}:",
        ["PersonalData__IdNumberKey"] = ApiFactory.IdNumberKey,
        ["DemoData__StaffPassword"] = ApiFactory.DemoPassword,
    };

    public static ApiProcess Start(IDictionary<string, string> environment, params string[] args) => StartOn(FreePort(), environment, args);

    /// <summary>Starts the API on a port chosen beforehand (when its own address must be in its settings, e.g. WeChat Pay's notify URL).</summary>
    public static ApiProcess StartOn(int port, IDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(RepoPaths.ApiDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var process = new Process { StartInfo = info };
        var api = new ApiProcess(process, $"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (api._output) api._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (api._output) api._output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return api;
    }

    /// <summary>Runs the API with arguments (a command such as `demo-data reset`) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(IDictionary<string, string> environment, params string[] args)
    {
        using var api = Start(environment, args);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await api._process.WaitForExitAsync(timeout.Token);
        api._process.WaitForExit(); // flush the redirected streams
        return (api._process.ExitCode, api.Output);
    }

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    /// <summary>Waits until /health/ready answers Healthy; false if the process exits or the time runs out first.</summary>
    public async Task<bool> WaitUntilReadyAsync(TimeSpan limit)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit && !HasExited)
        {
            try { if (await http.GetStringAsync("/health/ready") == "Healthy") return true; }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        return false;
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything, like a power cut or the OOM killer.</summary>
    public void KillNow()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
