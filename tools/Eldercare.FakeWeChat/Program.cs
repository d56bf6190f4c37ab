namespace Eldercare.FakeWeChat;

/// <summary>The fake WeChat server on its own, for the offline demo: ./eldercare.sh fake-wechat [port]</summary>
internal static class FakeWeChatHost
{
    private static async Task Main(string[] args)
    {
        var port = args.Length > 0 && int.TryParse(args[0], out var p) ? p : 5090;
        await using var server = await FakeWeChatServer.StartAsync(port, logRequests: true);
        Console.WriteLine($"Fake WeChat server on {server.BaseUrl} (app id {FakeWeChatServer.AppId}, secret {FakeWeChatServer.AppSecret}).");
        Console.WriteLine($"Log-in codes: GET {server.BaseUrl}/fake/login-code?openid=...  Phone codes: GET {server.BaseUrl}/fake/phone-code?phone=...");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        await stop.Task;
    }
}
