using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Eldercare.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Infrastructure.WeChat;

/// <summary>Settings of the "WeChatPay" section. Without a MerchantId the mini-program cannot pay online (the window still can).</summary>
public sealed class WeChatPayOptions : IValidatableObject
{
    [Required, Url] public string ApiBaseUrl { get; set; } = "https://api.mch.weixin.qq.com";
    public string MerchantId { get; set; } = "";
    /// <summary>Serial number of the merchant's API certificate.</summary>
    public string MerchantSerialNo { get; set; } = "";
    /// <summary>Secret: the merchant's RSA private key in PEM (WeChatPay__MerchantPrivateKey).</summary>
    public string MerchantPrivateKey { get; set; } = "";
    /// <summary>Secret: the 32-character APIv3 key that encrypts notifications (WeChatPay__ApiV3Key).</summary>
    public string ApiV3Key { get; set; } = "";
    /// <summary>WeChat Pay's public key (PEM) and its id, which notifications name in Wechatpay-Serial.</summary>
    public string PlatformPublicKey { get; set; } = "";
    public string PlatformSerialNo { get; set; } = "";
    /// <summary>Where WeChat Pay sends payment and refund notifications: this API's /api/wechat-pay/notify, as reachable from the internet.</summary>
    public string NotifyUrl { get; set; } = "";
    /// <summary>Notifications older than this are refused, so a recorded one cannot be replayed later.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "01:00:00")] public TimeSpan NotificationMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    public bool Enabled => MerchantId.Length > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (!Enabled) yield break;
        if (Encoding.UTF8.GetByteCount(ApiV3Key) != 32) yield return new ValidationResult("must be 32 characters", [nameof(ApiV3Key)]);
        if (!IsPem(MerchantPrivateKey, "PRIVATE KEY")) yield return new ValidationResult("must be an RSA private key in PEM", [nameof(MerchantPrivateKey)]);
        if (!IsPem(PlatformPublicKey, "PUBLIC KEY")) yield return new ValidationResult("must be an RSA public key in PEM", [nameof(PlatformPublicKey)]);
        if (MerchantSerialNo.Length == 0) yield return new ValidationResult("is required", [nameof(MerchantSerialNo)]);
        if (PlatformSerialNo.Length == 0) yield return new ValidationResult("is required", [nameof(PlatformSerialNo)]);
        if (!Uri.TryCreate(NotifyUrl, UriKind.Absolute, out _)) yield return new ValidationResult("must be an absolute URL", [nameof(NotifyUrl)]);
    }

    private static bool IsPem(string pem, string label)
    {
        if (!pem.Contains(label, StringComparison.Ordinal)) return false;
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return false;
        }
    }
}

/// <summary>What wx.requestPayment needs in the mini-program.</summary>
public sealed record PaymentParameters(string AppId, string TimeStamp, string NonceStr, string Package, string SignType, string PaySign);

/// <summary>An answer of WeChat Pay: the JSON on success, else its error code and message.</summary>
public sealed record PayAnswer(HttpStatusCode Status, JsonElement Body)
{
    public bool Ok => (int)Status is >= 200 and < 300;
    public string Code => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("code", out var c) ? c.GetString() ?? "" : "";
    public string Message => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
}

/// <summary>A notification that passed its checks: the decrypted resource and what kind of event it was.</summary>
public sealed record PayNotification(string EventType, JsonElement Resource);

/// <summary>
/// WeChat Pay API v3 for JSAPI (mini-program) payments: create a prepay order, the signed parameters for
/// wx.requestPayment, query an order, refund, and the checks every notification must pass (signature by the
/// platform key, a fresh timestamp, decryption with the APIv3 key). Requests are signed with the merchant key;
/// transient failures (network, 5xx, 429) are retried with backoff, which is safe because every call here is
/// idempotent at WeChat Pay (the same out_trade_no or out_refund_no).
/// </summary>
public sealed class WeChatPayClient(HttpClient http, IOptions<WeChatPayOptions> options, TimeProvider clock, ILogger<WeChatPayClient> log)
{
    private readonly Lazy<RSA> _merchantKey = new(() => ImportKey(options.Value.MerchantPrivateKey));
    private readonly Lazy<RSA> _platformKey = new(() => ImportKey(options.Value.PlatformPublicKey));

    public Task<PayAnswer> CreateJsapiOrderAsync(string appId, string outTradeNo, string description, long amountFen, string payerOpenId, DateTime expiresAt, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "v3/pay/transactions/jsapi", new
        {
            appid = appId, mchid = options.Value.MerchantId, description, out_trade_no = outTradeNo, notify_url = options.Value.NotifyUrl,
            time_expire = new DateTimeOffset(expiresAt, TimeSpan.Zero).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            amount = new { total = amountFen, currency = "CNY" }, payer = new { openid = payerOpenId },
        }, ct);

    public Task<PayAnswer> QueryAsync(string outTradeNo, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, $"v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}?mchid={Uri.EscapeDataString(options.Value.MerchantId)}", null, ct);

    public Task<PayAnswer> RefundAsync(string outTradeNo, string outRefundNo, long refundFen, long totalFen, string reason, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "v3/refund/domestic/refunds", new
        {
            out_trade_no = outTradeNo, out_refund_no = outRefundNo, reason, notify_url = options.Value.NotifyUrl,
            amount = new { refund = refundFen, total = totalFen, currency = "CNY" },
        }, ct);

    /// <summary>The signed parameters for wx.requestPayment.</summary>
    public PaymentParameters ParametersFor(string appId, string prepayId)
    {
        var timeStamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = WeChatPaySignatures.Nonce();
        var package = "prepay_id=" + prepayId;
        return new PaymentParameters(appId, timeStamp, nonce, package, "RSA", WeChatPaySignatures.Sign(_merchantKey.Value, appId, timeStamp, nonce, package));
    }

    /// <summary>
    /// Checks a notification as it arrived (headers and the exact body) and decrypts its resource; null with the reason
    /// when it must be refused: unknown key serial, stale or future timestamp, bad signature, or a resource that does
    /// not decrypt.
    /// </summary>
    public (PayNotification? Notification, string? Refusal) ReadNotification(string? timestamp, string? nonce, string? signature, string? serial, string body)
    {
        var o = options.Value;
        if (PlatformSignatureProblem(timestamp, nonce, signature, serial, body) is { } problem) return (null, problem);
        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            var resource = root.GetProperty("resource");
            var plain = WeChatPaySignatures.Decrypt(Encoding.UTF8.GetBytes(o.ApiV3Key), resource.GetProperty("nonce").GetString() ?? "",
                resource.TryGetProperty("associated_data", out var ad) ? ad.GetString() ?? "" : "", resource.GetProperty("ciphertext").GetString() ?? "");
            if (plain is null) return (null, "resource does not decrypt");
            return (new PayNotification(root.GetProperty("event_type").GetString() ?? "", JsonDocument.Parse(plain).RootElement), null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (null, "malformed notification");
        }
    }

    /// <summary>
    /// Why a message said to come from WeChat Pay (a notification, or an answer) cannot be trusted: missing headers,
    /// a key serial that is not the platform key's, a stale or future timestamp, or a signature that does not verify.
    /// Null when it is WeChat Pay's.
    /// </summary>
    private string? PlatformSignatureProblem(string? timestamp, string? nonce, string? signature, string? serial, string body)
    {
        var o = options.Value;
        if (timestamp is null || nonce is null || signature is null || serial is null) return "missing Wechatpay headers";
        if (serial != o.PlatformSerialNo) return "unknown platform key serial";
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return "bad timestamp";
        var age = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age > o.NotificationMaxAge || age < -o.NotificationMaxAge) return "stale timestamp";
        return WeChatPaySignatures.Verify(_platformKey.Value, signature, timestamp, nonce, body) ? null : "bad signature";
    }

    /// <summary>What a successful answer that fails its signature check is taken as: a refusal, never a result.</summary>
    private static readonly PayAnswer Untrusted = new(HttpStatusCode.BadGateway,
        JsonDocument.Parse("{\"code\":\"ANSWER_NOT_VERIFIED\",\"message\":\"微信支付暂时不能确认，请稍后再试\"}").RootElement.Clone());

    /// <summary>
    /// One request to WeChat Pay. Signing (each attempt afresh) and trying again after a 5xx, a 429 or no answer are
    /// the HTTP pipeline's (<see cref="WeChatPaySetup"/>); every request sent here is safe to repeat, since WeChat
    /// Pay keeps one order per order number and one refund per refund number.
    /// </summary>
    private async Task<PayAnswer> SendAsync(HttpMethod method, string pathAndQuery, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery);
        if (body is not null) request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        // A success must be WeChat Pay's own (it says an order exists or was paid); a failure changes nothing either way.
        string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
        if (response.IsSuccessStatusCode && PlatformSignatureProblem(Header("Wechatpay-Timestamp"), Header("Wechatpay-Nonce"),
                Header("Wechatpay-Signature"), Header("Wechatpay-Serial"), text) is { } problem)
        {
            log.LogError("WeChat Pay's answer to {Path} is not trusted: {Problem}", pathAndQuery.Split('?')[0], problem);
            return Untrusted;
        }
        return new PayAnswer(response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    internal static RSA ImportKey(string pem)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return rsa;
    }
}

/// <summary>Signs every request to WeChat Pay, each attempt afresh (its timestamp and nonce), with the merchant's key.</summary>
public sealed class WeChatPaySigning(IOptions<WeChatPayOptions> options, TimeProvider clock) : DelegatingHandler
{
    private readonly Lazy<RSA> _merchantKey = new(() => WeChatPayClient.ImportKey(options.Value.MerchantPrivateKey));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(ct);
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", WeChatPaySignatures.Authorization(options.Value.MerchantId, options.Value.MerchantSerialNo,
            _merchantKey.Value, request.Method.Method, request.RequestUri!.PathAndQuery, body, clock.GetUtcNow()));
        return await base.SendAsync(request, ct);
    }
}

public static class WeChatPaySetup
{
    public const string HttpClientName = "wechat-pay";

    public static IServiceCollection AddWeChatPay(this IServiceCollection services)
    {
        services.AddValidatedOptions<WeChatPayOptions>("WeChatPay");
        services.AddTransient<WeChatPaySigning>();
        services.AddHttpClient(HttpClientName, (sp, http) =>
            {
                http.BaseAddress = new Uri(sp.GetRequiredService<IOptions<WeChatPayOptions>>().Value.ApiBaseUrl.TrimEnd('/') + "/");
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline's timeouts apply
            })
            // The client lives as long as the process (see below): connections are renewed instead, so DNS changes are seen.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler(o =>
            {
                // Twice more after a 5xx, a 429, a timeout or no answer, 200 ms and then about 400 ms later (with jitter).
                o.Retry.MaxRetryAttempts = 2;
                o.Retry.Delay = TimeSpan.FromMilliseconds(200);
                o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(8);
                o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(20);
            });
        // Inside the retries, so every attempt is signed anew.
        services.AddHttpClient(HttpClientName).AddHttpMessageHandler<WeChatPaySigning>();
        services.AddSingleton(sp => new WeChatPayClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetRequiredService<IOptions<WeChatPayOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WeChatPayClient>>()));
        return services;
    }
}
