using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Eldercare.FakeWeChat;

/// <summary>
/// WeChat's server APIs as Eldercare uses them, on 127.0.0.1, answering as WeChat does (errcodes included), for the
/// tests and the offline demo:
/// - the stable access token, checked against the app's id and secret; a renewed token makes the old one invalid (40001);
/// - jscode2session: a log-in code maps to an openid, works once (40163 afterwards) and expires after five minutes (40029);
/// - getuserphonenumber: a phone code, from the button the user tapped, gives that user's number, once;
/// - WeChat Pay API v3 (see <see cref="FakeWeChatPay"/>);
/// - subscribeMessage.send: token, template and field lengths checked (thing fields at most 20 characters), 43101 for
///   users who accepted no more messages.
/// </summary>
public sealed class FakeWeChatServer : IAsyncDisposable
{
    public const string AppId = "wx-test-app", AppSecret = "test-secret", TemplateId = "tmpl-reminder-1", CompletedTemplateId = "tmpl-completed-1";

    /// <summary>The app's subscribe-message templates: the general reminder and the rate-it message.</summary>
    public static readonly string[] TemplateIds = [TemplateId, CompletedTemplateId];
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(5);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (string Subject, DateTime IssuedAt)> _loginCodes = new();
    private readonly ConcurrentDictionary<string, (string Subject, DateTime IssuedAt)> _phoneCodes = new();
    private string _token = NewSecret("token");

    public sealed record Message(string ToUser, string TemplateId, string Page, Dictionary<string, string> Data);

    public ConcurrentQueue<Message> Messages { get; } = new();
    public ConcurrentDictionary<string, bool> RefusingUsers { get; } = new();
    public int TokenRequests;
    /// <summary>While set, every call answers 503, as during an outage.</summary>
    public volatile bool Down;
    public string BaseUrl { get; }
    /// <summary>WeChat Pay (its keys, orders and notifications).</summary>
    public FakeWeChatPay Pay { get; } = new();
    /// <summary>Moves the fake's clock, to see codes expire.</summary>
    public TimeSpan ClockOffset { get; set; }

    private FakeWeChatServer(WebApplication app, string baseUrl) => (_app, BaseUrl) = (app, baseUrl);

    private DateTime Now => DateTime.UtcNow + ClockOffset;

    /// <summary>Makes the token handed out so far invalid, as WeChat does when it renews it.</summary>
    public void RenewToken() => _token = NewSecret("token");

    /// <summary>What wx.login gives the mini-program of the user with this openid.</summary>
    public string IssueLoginCode(string openId) => Issue(_loginCodes, openId);

    /// <summary>What the phone-number button gives the mini-program of a user whose WeChat holds this number.</summary>
    public string IssuePhoneCode(string phone) => Issue(_phoneCodes, phone);

    public static async Task<FakeWeChatServer> StartAsync(int port = 0, bool logRequests = false)
    {
        if (port == 0) port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        if (!logRequests) builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeWeChatServer(app, $"http://127.0.0.1:{port}");
        fake.Map(app);
        await app.StartAsync();
        return fake;
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (Down) { context.Response.StatusCode = 503; return; }
            await next();
        });

        app.MapPost("/cgi-bin/stable_token", async (HttpRequest request) =>
        {
            Interlocked.Increment(ref TokenRequests);
            var root = (await JsonDocument.ParseAsync(request.Body)).RootElement;
            if (root.GetProperty("grant_type").GetString() != "client_credential") return Error(40002, "invalid grant_type");
            if (root.GetProperty("appid").GetString() != AppId) return Error(40013, "invalid appid");
            if (root.GetProperty("secret").GetString() != AppSecret) return Error(40125, "invalid appsecret");
            return Results.Json(new { access_token = _token, expires_in = 7200 });
        });

        app.MapGet("/sns/jscode2session", (string? appid, string? secret, string? js_code, string? grant_type) =>
        {
            if (appid != AppId) return Error(40013, "invalid appid");
            if (secret != AppSecret) return Error(40125, "invalid appsecret");
            if (grant_type != "authorization_code") return Error(40002, "invalid grant_type");
            return Redeem(_loginCodes, js_code) switch
            {
                (null, var used) => used ? Error(40163, "code been used") : Error(40029, "invalid code"),
                (var openId, _) => Results.Json(new { openid = openId, session_key = Convert.ToBase64String(Guid.NewGuid().ToByteArray()) }),
            };
        });

        app.MapPost("/wxa/business/getuserphonenumber", async (HttpRequest request) =>
        {
            if (request.Query["access_token"] != _token) return Error(40001, "invalid credential, access_token is invalid or not latest");
            var root = (await JsonDocument.ParseAsync(request.Body)).RootElement;
            var code = root.TryGetProperty("code", out var c) ? c.GetString() : null;
            return Redeem(_phoneCodes, code) switch
            {
                (null, _) => Error(40029, "invalid code"),
                (var phone, _) => Results.Json(new
                {
                    errcode = 0, errmsg = "ok",
                    phone_info = new { phoneNumber = phone, purePhoneNumber = phone, countryCode = "86", watermark = new { timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), appid = AppId } },
                }),
            };
        });

        app.MapPost("/cgi-bin/message/subscribe/send", async (HttpRequest request) =>
        {
            if (request.Query["access_token"] != _token) return Error(40001, "invalid credential, access_token is invalid or not latest");
            var root = (await JsonDocument.ParseAsync(request.Body)).RootElement;
            var template = root.GetProperty("template_id").GetString()!;
            if (!TemplateIds.Contains(template)) return Error(40037, "invalid template_id");
            var data = root.GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("value").GetString() ?? "");
            foreach (var (key, value) in data)
                if (key.StartsWith("thing", StringComparison.Ordinal) && (value.Length == 0 || value.Length > 20))
                    return Error(47003, $"argument invalid! data.{key}.value invalid");
            var user = root.GetProperty("touser").GetString()!;
            if (RefusingUsers.ContainsKey(user)) return Error(43101, "user refuse to accept the msg");
            Messages.Enqueue(new Message(user, template, root.GetProperty("page").GetString()!, data));
            return Results.Json(new { errcode = 0, errmsg = "ok", msgid = Messages.Count });
        });

        Pay.Map(app);

        // For the offline demo: what WeChat would give the mini-program on the phone.
        app.MapGet("/fake/login-code", (string openid) => Results.Json(new { code = IssueLoginCode(openid) }));
        app.MapGet("/fake/phone-code", (string phone) => Results.Json(new { code = IssuePhoneCode(phone) }));
        // What the payer's confirming in WeChat's payment sheet does: the order is paid and the merchant told.
        app.MapPost("/fake/pay", async (string prepayId) =>
        {
            var order = Pay.Orders.Values.FirstOrDefault(o => o.PrepayId == prepayId);
            if (order is null) return Results.Json(new { errMsg = "requestPayment:fail prepay_id not found" }, statusCode: 404);
            var answer = await Pay.PayAsync(order.OutTradeNo);
            return Results.Json(new { errMsg = "requestPayment:ok", merchantAnswered = answer });
        });
    }

    private string Issue(ConcurrentDictionary<string, (string, DateTime)> codes, string subject)
    {
        var code = NewSecret("code");
        codes[code] = (subject, Now);
        return code;
    }

    /// <summary>The subject of a live code, which is then spent; or null, saying whether the code was already used.</summary>
    private (string? Subject, bool Used) Redeem(ConcurrentDictionary<string, (string Subject, DateTime IssuedAt)> codes, string? code)
    {
        if (code is null) return (null, false);
        if (!codes.TryGetValue(code, out var issued)) return (null, false);
        if (issued.Subject.Length == 0) return (null, true);
        if (Now - issued.IssuedAt > CodeLifetime) return (null, false);
        // Spent codes stay, emptied, so a second use is told apart from a code that never was.
        return codes.TryUpdate(code, ("", issued.IssuedAt), issued) ? (issued.Subject, false) : (null, true);
    }

    private static IResult Error(int errcode, string errmsg) => Results.Json(new { errcode, errmsg });

    private static string NewSecret(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
