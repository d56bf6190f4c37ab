namespace Eldercare.FakeWeChat;

/// <summary>
/// The fake WeChat server on its own, for the offline demo: ./eldercare.sh fake-wechat. With --env-file it writes the
/// settings that point an API at it (WeChat log-in, phone numbers, messages and WeChat Pay with this run's keys).
/// </summary>
internal static class FakeWeChatHost
{
    private static async Task Main(string[] args)
    {
        var port = args.Length > 0 && int.TryParse(args[0], out var p) ? p : 5090;
        var envFile = args.SkipWhile(a => a != "--env-file").Skip(1).FirstOrDefault();
        var apiUrl = Environment.GetEnvironmentVariable("ELDERCARE_API_URL") ?? "http://127.0.0.1:5080";
        await using var server = await FakeWeChatServer.StartAsync(port, logRequests: true);
        if (envFile is not null) await File.WriteAllTextAsync(envFile, EnvFile(server, apiUrl));
        Console.WriteLine($"Fake WeChat server on {server.BaseUrl} (app id {FakeWeChatServer.AppId}).");
        Console.WriteLine($"Log-in codes: GET {server.BaseUrl}/fake/login-code?openid=...  Phone codes: GET {server.BaseUrl}/fake/phone-code?phone=...");
        Console.WriteLine($"Paying: POST {server.BaseUrl}/fake/pay?prepayId=...  (what confirming in WeChat's payment sheet does)");
        if (envFile is not null) Console.WriteLine($"Settings for the API: source {envFile} before ./eldercare.sh run");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        await stop.Task;
    }

    private static string EnvFile(FakeWeChatServer server, string apiUrl) => string.Join('\n',
        $"export WeChat__ApiBaseUrl='{server.BaseUrl}'",
        $"export WeChat__AppId='{FakeWeChatServer.AppId}'",
        $"export WeChat__AppSecret='{FakeWeChatServer.AppSecret}'",
        $"export WeChat__ReminderTemplateId='{FakeWeChatServer.TemplateId}'",
        $"export WeChatPay__ApiBaseUrl='{server.BaseUrl}'",
        $"export WeChatPay__MerchantId='{FakeWeChatPay.MerchantId}'",
        $"export WeChatPay__MerchantSerialNo='{FakeWeChatPay.MerchantSerialNo}'",
        $"export WeChatPay__MerchantPrivateKey='{server.Pay.MerchantPrivateKeyPem}'",
        $"export WeChatPay__ApiV3Key='{server.Pay.ApiV3Key}'",
        $"export WeChatPay__PlatformPublicKey='{server.Pay.PlatformPublicKeyPem}'",
        $"export WeChatPay__PlatformSerialNo='{FakeWeChatPay.PlatformSerialNo}'",
        $"export WeChatPay__NotifyUrl='{apiUrl}/api/wechat-pay/notify'",
        "");
}
