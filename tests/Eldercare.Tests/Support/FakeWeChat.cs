using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Eldercare.Tests.Support;

/// <summary>
/// WeChat's server APIs as the hub uses them, on 127.0.0.1, answering as WeChat does: the stable access token checked
/// against the app's id and secret, subscribe messages checked for token, template and field lengths (at most 20
/// characters per thing field), errcode 43101 for users who accepted no more messages.
/// </summary>
public sealed class FakeWeChat : IAsyncDisposable
{
    public const string AppId = "wx-test-app", AppSecret = "test-secret", TemplateId = "tmpl-reminder-1";

    private readonly WebApplication _app;
    private string _token = NewToken();

    public sealed record Message(string ToUser, string TemplateId, string Page, Dictionary<string, string> Data);

    public ConcurrentQueue<Message> Messages { get; } = new();
    public ConcurrentDictionary<string, bool> RefusingUsers { get; } = new();
    public int TokenRequests;
    /// <summary>While set, every call answers 503, as during an outage.</summary>
    public volatile bool Down;
    public string BaseUrl { get; }

    private FakeWeChat(WebApplication app, string baseUrl) => (_app, BaseUrl) = (app, baseUrl);

    /// <summary>Makes the token handed out so far invalid, as WeChat does when it renews it.</summary>
    public void RenewToken() => _token = NewToken();

    public static FakeWeChat Start()
    {
        var port = ApiProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeWeChat(app, $"http://127.0.0.1:{port}");
        app.Use(async (context, next) =>
        {
            if (fake.Down) { context.Response.StatusCode = 503; return; }
            await next();
        });
        app.MapPost("/cgi-bin/stable_token", async (HttpRequest request) =>
        {
            Interlocked.Increment(ref fake.TokenRequests);
            var body = await JsonDocument.ParseAsync(request.Body);
            var root = body.RootElement;
            if (root.GetProperty("grant_type").GetString() != "client_credential") return Results.Json(new { errcode = 40002, errmsg = "invalid grant_type" });
            if (root.GetProperty("appid").GetString() != AppId) return Results.Json(new { errcode = 40013, errmsg = "invalid appid" });
            if (root.GetProperty("secret").GetString() != AppSecret) return Results.Json(new { errcode = 40125, errmsg = "invalid appsecret" });
            return Results.Json(new { access_token = fake._token, expires_in = 7200 });
        });
        app.MapPost("/cgi-bin/message/subscribe/send", async (HttpRequest request) =>
        {
            if (request.Query["access_token"] != fake._token)
                return Results.Json(new { errcode = 40001, errmsg = "invalid credential, access_token is invalid or not latest" });
            var root = (await JsonDocument.ParseAsync(request.Body)).RootElement;
            var template = root.GetProperty("template_id").GetString()!;
            if (template != TemplateId) return Results.Json(new { errcode = 40037, errmsg = "invalid template_id" });
            var data = root.GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("value").GetString() ?? "");
            foreach (var (key, value) in data)
                if (key.StartsWith("thing", StringComparison.Ordinal) && (value.Length == 0 || value.Length > 20))
                    return Results.Json(new { errcode = 47003, errmsg = $"argument invalid! data.{key}.value invalid" });
            var user = root.GetProperty("touser").GetString()!;
            if (fake.RefusingUsers.ContainsKey(user)) return Results.Json(new { errcode = 43101, errmsg = "user refuse to accept the msg" });
            fake.Messages.Enqueue(new Message(user, template, root.GetProperty("page").GetString()!, data));
            return Results.Json(new { errcode = 0, errmsg = "ok", msgid = fake.Messages.Count });
        });
        app.StartAsync().GetAwaiter().GetResult();
        return fake;
    }

    private static string NewToken() => $"token-{Guid.NewGuid():N}";

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
