using System.ComponentModel.DataAnnotations;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Eldercare.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Infrastructure.WeChat;

/// <summary>Settings of the "WeChat" section. Without an AppId the hub sends nothing to WeChat.</summary>
public sealed class WeChatOptions
{
    /// <summary>WeChat's API; tests and the offline demo point it at a fake WeChat server.</summary>
    [Required, Url] public string ApiBaseUrl { get; set; } = "https://api.weixin.qq.com";
    public string AppId { get; set; } = "";
    /// <summary>Secret: set it in the environment (WeChat__AppSecret).</summary>
    public string AppSecret { get; set; } = "";
    /// <summary>The subscribe-message template of reminders: thing1 = what about, thing2 = the message, both at most 20 characters.</summary>
    public string ReminderTemplateId { get; set; } = "";
    /// <summary>
    /// Templates of their own (same thing1/thing2 fields) for the messages users subscribe to one by one in the
    /// mini-program; an empty one falls back to <see cref="ReminderTemplateId"/>.
    /// </summary>
    public string BookingConfirmedTemplateId { get; set; } = "";
    public string BeforeServiceTemplateId { get; set; } = "";
    public string ServiceCompletedTemplateId { get; set; } = "";
    public string WaitlistPromotedTemplateId { get; set; } = "";

    /// <summary>The template a reminder of this kind is sent with.</summary>
    public string TemplateFor(Domain.ReminderKind kind)
    {
        var own = kind switch
        {
            Domain.ReminderKind.BookingConfirmed => BookingConfirmedTemplateId,
            Domain.ReminderKind.BookingEveningBefore or Domain.ReminderKind.BookingSoon => BeforeServiceTemplateId,
            Domain.ReminderKind.ServiceCompleted or Domain.ReminderKind.VisitConfirmation => ServiceCompletedTemplateId,
            Domain.ReminderKind.WaitlistPromoted => WaitlistPromotedTemplateId,
            _ => "",
        };
        return own.Length > 0 ? own : ReminderTemplateId;
    }
    /// <summary>Which version of the mini-program a tapped message opens: developer, trial or formal.</summary>
    [AllowedValues("developer", "trial", "formal")] public string MiniProgramState { get; set; } = "formal";

    public bool Enabled => AppId.Length > 0;
}

/// <summary>The answer of a WeChat API call: errcode 0 is success.</summary>
public sealed record WeChatResult([property: JsonPropertyName("errcode")] int ErrCode, [property: JsonPropertyName("errmsg")] string? ErrMsg)
{
    public bool Ok => ErrCode == 0;
    /// <summary>The recipient cannot get this message (no subscription left, unknown openid): another channel must reach them.</summary>
    public bool RecipientUnreachable => ErrCode is 43101 or 40003;
    /// <summary>A log-in or phone code that is unknown, spent or expired: the mini-program must ask WeChat for a new one.</summary>
    public bool CodeInvalid => ErrCode is 40029 or 40163;
    /// <summary>The request itself is wrong (template, data): retrying will not help.</summary>
    public bool Rejected => ErrCode is 47003 or 40037 or 41030;
}

/// <summary>
/// The few WeChat server APIs the hub calls. The access token comes from the stable-token API and is shared by all
/// API nodes through Redis, so one node fetches it and the others use it (WeChat limits how often a token may be
/// fetched a day); each node also keeps it in memory. It is renewed before it expires, or when WeChat says it no
/// longer holds.
/// </summary>
public sealed class WeChatClient(HttpClient http, IOptions<WeChatOptions> options, IDistributedCache shared, TimeProvider clock)
{
    private const string SharedTokenKey = "wechat:access-token";

    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private (string Token, DateTime ExpiresAt)? _token;

    public async Task<WeChatResult> SendSubscribeMessageAsync(string openId, string templateId, string page, IReadOnlyDictionary<string, string> data, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var token = await AccessTokenAsync(ct);
            var body = new
            {
                touser = openId, template_id = templateId, page, miniprogram_state = options.Value.MiniProgramState, lang = "zh_CN",
                data = data.ToDictionary(d => d.Key, d => new { value = d.Value }),
            };
            using var response = await http.PostAsJsonAsync($"cgi-bin/message/subscribe/send?access_token={Uri.EscapeDataString(token)}", body, ct);
            response.EnsureSuccessStatusCode();
            var result = await response.Content.ReadFromJsonAsync<WeChatResult>(ct) ?? new WeChatResult(-1, "empty answer");
            if (result.ErrCode is not (40001 or 42001) || attempt == 2) return result;
            await ForgetTokenAsync(token, ct); // invalid or expired token: fetch it again once
        }
    }

    /// <summary>
    /// Trades the mini-program's wx.login code for the user's openid. The code works once, so the call is never
    /// retried: a retry after a lost answer would only be told the code was used. WeChat's session_key stays here.
    /// </summary>
    public async Task<(string? OpenId, WeChatResult Result)> Code2SessionAsync(string code, CancellationToken ct)
    {
        var o = options.Value;
        using var response = await http.GetAsync($"sns/jscode2session?appid={Uri.EscapeDataString(o.AppId)}&secret={Uri.EscapeDataString(o.AppSecret)}" +
            $"&js_code={Uri.EscapeDataString(code)}&grant_type=authorization_code", ct);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<SessionAnswer>(ct);
        return answer?.OpenId is { Length: > 0 } openId
            ? (openId, new WeChatResult(0, "ok"))
            : (null, new WeChatResult(answer?.ErrCode is null or 0 ? -1 : answer.ErrCode, answer?.ErrMsg ?? "no openid"));
    }

    /// <summary>The phone number the user chose to share (the code of the phone-number button), without the country code.</summary>
    public async Task<(string? Phone, WeChatResult Result)> GetPhoneNumberAsync(string code, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var token = await AccessTokenAsync(ct);
            using var response = await http.PostAsJsonAsync($"wxa/business/getuserphonenumber?access_token={Uri.EscapeDataString(token)}", new { code }, ct);
            response.EnsureSuccessStatusCode();
            var answer = await response.Content.ReadFromJsonAsync<PhoneAnswer>(ct);
            var result = new WeChatResult(answer?.ErrCode ?? -1, answer?.ErrMsg);
            if (result.Ok) return (answer!.PhoneInfo?.PurePhoneNumber, result);
            if (result.ErrCode is not (40001 or 42001) || attempt == 2) return (null, result);
            await ForgetTokenAsync(token, ct);
        }
    }

    private async Task<string> AccessTokenAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_token is { } held && held.ExpiresAt > now) return held.Token;
        await _tokenLock.WaitAsync(ct);
        try
        {
            if (_token is { } fresh && fresh.ExpiresAt > now) return fresh.Token;
            if (await shared.GetStringAsync(SharedTokenKey, ct) is { } kept && Parse(kept) is { } fromRedis && fromRedis.ExpiresAt > now)
                return (_token = fromRedis).Value.Token;

            var o = options.Value;
            using var response = await http.PostAsJsonAsync("cgi-bin/stable_token",
                new { grant_type = "client_credential", appid = o.AppId, secret = o.AppSecret, force_refresh = false }, ct);
            response.EnsureSuccessStatusCode();
            var answer = await response.Content.ReadFromJsonAsync<TokenAnswer>(ct);
            if (answer?.AccessToken is not { Length: > 0 } token)
                throw new HttpRequestException($"WeChat gave no access token: {answer?.ErrCode} {answer?.ErrMsg}");
            // Renewed a little before WeChat's expiry, so a token never dies between reading it and using it.
            var expiresAt = now.AddSeconds(Math.Max(60, answer.ExpiresIn - 300));
            _token = (token, expiresAt);
            await shared.SetStringAsync(SharedTokenKey, $"{expiresAt.Ticks}|{token}", new DistributedCacheEntryOptions { AbsoluteExpiration = expiresAt }, ct);
            return token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    /// <summary>WeChat refused this token: drop it here and, unless another node has already put a newer one there, in Redis.</summary>
    private async Task ForgetTokenAsync(string token, CancellationToken ct)
    {
        _token = null;
        if (await shared.GetStringAsync(SharedTokenKey, ct) is { } kept && Parse(kept)?.Token == token) await shared.RemoveAsync(SharedTokenKey, ct);
    }

    private static (string Token, DateTime ExpiresAt)? Parse(string kept)
    {
        var bar = kept.IndexOf('|');
        return bar > 0 && long.TryParse(kept.AsSpan(0, bar), out var ticks) ? (kept[(bar + 1)..], new DateTime(ticks, DateTimeKind.Utc)) : null;
    }

    private sealed record SessionAnswer(
        [property: JsonPropertyName("openid")] string? OpenId,
        [property: JsonPropertyName("errcode")] int ErrCode,
        [property: JsonPropertyName("errmsg")] string? ErrMsg);

    private sealed record PhoneAnswer(
        [property: JsonPropertyName("errcode")] int ErrCode,
        [property: JsonPropertyName("errmsg")] string? ErrMsg,
        [property: JsonPropertyName("phone_info")] PhoneInfo? PhoneInfo);

    private sealed record PhoneInfo([property: JsonPropertyName("purePhoneNumber")] string? PurePhoneNumber);

    private sealed record TokenAnswer(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn,
        [property: JsonPropertyName("errcode")] int ErrCode,
        [property: JsonPropertyName("errmsg")] string? ErrMsg);
}

public static class WeChatSetup
{
    public const string HttpClientName = "wechat";

    public static IServiceCollection AddWeChat(this IServiceCollection services)
    {
        services.AddValidatedOptions<WeChatOptions>("WeChat");
        services.AddHttpClient(HttpClientName, (sp, http) =>
            {
                http.BaseAddress = new Uri(sp.GetRequiredService<IOptions<WeChatOptions>>().Value.ApiBaseUrl.TrimEnd('/') + "/");
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline's timeouts apply
            })
            // One client, and so one cached token, per process (below): its connections are renewed, so DNS changes are seen.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler(o =>
            {
                // Nothing the hub asks WeChat's server API is safe to send twice: a message would arrive twice, and a
                // log-in or phone-number code works once. So no retries here (the callers try later), only timeouts
                // and the circuit breaker, which stops asking a WeChat that keeps failing for a while.
                o.Retry.ShouldHandle = _ => ValueTask.FromResult(false);
                o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
                o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(15);
            });
        services.AddSingleton(sp => new WeChatClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetRequiredService<IOptions<WeChatOptions>>(), sp.GetRequiredService<IDistributedCache>(), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// WeChat or WeChat Pay could not be asked: no connection, no answer in time, or the circuit breaker open after
    /// many failures. The caller says so (503) or tries again later; a cancelled request is not this.
    /// </summary>
    public static bool Unreachable(Exception e) => e is HttpRequestException or TaskCanceledException or Polly.ExecutionRejectedException;
}
