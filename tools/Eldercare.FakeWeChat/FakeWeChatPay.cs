using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Eldercare.FakeWeChat;

/// <summary>
/// WeChat Pay API v3 (JSAPI) as the fake WeChat server answers it. It holds its own platform key pair and makes the
/// merchant's key pair and APIv3 key for the app under test. Signatures and encryption are written here from WeChat
/// Pay's documentation, independently of Eldercare's own code, so that a mistake on one side shows up as a failure:
/// - requests must carry "WECHATPAY2-SHA256-RSA2048" signed by the merchant key over METHOD, path, timestamp, nonce, body;
/// - notifications are signed by the platform key over timestamp, nonce, body, with the resource in AES-256-GCM;
/// - answers to requests whose signature was good are signed the same way (Wechatpay-Timestamp, -Nonce, -Signature, -Serial).
/// </summary>
public sealed partial class FakeWeChatPay
{
    public const string MerchantId = "1900000109", MerchantSerialNo = "MERCHANT-SERIAL-1", PlatformSerialNo = "PUB_KEY_ID_0001";

    private readonly RSA _merchant = RSA.Create(2048);
    private readonly RSA _platform = RSA.Create(2048);
    private readonly RSA _impostor = RSA.Create(2048);
    private readonly HttpClient _notifier = new();

    public sealed record Order(string OutTradeNo, string PrepayId, string AppId, long Total, string OpenId, string NotifyUrl, string Description)
    {
        public string State { get; set; } = "NOTPAY";
        public string TransactionId { get; } = "4200" + Random.Shared.NextInt64(1_000_000_000_000, 9_999_999_999_999);
    }

    public sealed record Refund(string OutRefundNo, string OutTradeNo, long Amount, string Reason);

    /// <summary>A notification as sent: the headers and the exact body, so a test can send it again.</summary>
    public sealed record Notification(string Timestamp, string Nonce, string Signature, string Serial, string Body);

    public string ApiV3Key { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    public string MerchantPrivateKeyPem => _merchant.ExportPkcs8PrivateKeyPem();
    public string PlatformPublicKeyPem => _platform.ExportSubjectPublicKeyInfoPem();
    public ConcurrentDictionary<string, Order> Orders { get; } = new();
    public ConcurrentDictionary<string, Refund> Refunds { get; } = new();

    private int _queries;

    /// <summary>How many times the hub asked about an order (tests check it stops asking once it knows).</summary>
    public int Queries => Volatile.Read(ref _queries);

    /// <summary>
    /// When set, answers are signed by a key that is not the platform's, as by someone between the hub and WeChat Pay
    /// who can change answers but does not hold WeChat Pay's private key.
    /// </summary>
    public bool ForgedAnswers { get; set; }

    /// <summary>The next this many requests get 503 SYSTEM_ERROR, as WeChat Pay answers when it is overloaded (after the signature check).</summary>
    public int FailNextRequests { get; set; }

    /// <summary>How many requests WeChat Pay was sent (each attempt counts).</summary>
    public int Requests => Volatile.Read(ref _requests);

    private int _requests;
    private readonly ConcurrentDictionary<string, byte> _nonces = new();

    internal void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/v3")) { await next(); return; }
            Interlocked.Increment(ref _requests);
            // A signature's nonce is used once: a request sent again as it was (a replay) is refused.
            var requestNonce = AuthorizationPattern().Match(context.Request.Headers.Authorization.ToString()) is { Success: true } m ? m.Groups["nonce"].Value : "";
            if (requestNonce.Length > 0 && !_nonces.TryAdd(requestNonce, 0)) { await SignError().ExecuteAsync(context); return; }
            if (FailNextRequests > 0)
            {
                FailNextRequests--;
                await Fail(503, "SYSTEM_ERROR", "系统繁忙，请稍后重试").ExecuteAsync(context);
                return;
            }
            var original = context.Response.Body;
            using var buffer = new MemoryStream();
            context.Response.Body = buffer;
            await next();
            context.Response.Body = original;
            // WeChat Pay signs an answer only when the request's own signature was good.
            if (context.Response.StatusCode != 401)
            {
                var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                var nonce = Guid.NewGuid().ToString("N");
                var body = Encoding.UTF8.GetString(buffer.ToArray());
                var signer = ForgedAnswers ? _impostor : _platform;
                context.Response.Headers["Wechatpay-Timestamp"] = timestamp;
                context.Response.Headers["Wechatpay-Nonce"] = nonce;
                context.Response.Headers["Wechatpay-Signature"] = Convert.ToBase64String(signer.SignData(Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n{body}\n"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
                context.Response.Headers["Wechatpay-Serial"] = PlatformSerialNo;
            }
            buffer.Position = 0;
            await buffer.CopyToAsync(original);
        });

        app.MapPost("/v3/pay/transactions/jsapi", async (HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            if (!SignedByMerchant(request, body)) return SignError();
            var root = JsonDocument.Parse(body).RootElement;
            if (root.GetProperty("mchid").GetString() != MerchantId) return Fail(400, "PARAM_ERROR", "mchid与appid不匹配");
            var outTradeNo = root.GetProperty("out_trade_no").GetString()!;
            var total = root.GetProperty("amount").GetProperty("total").GetInt64();
            if (total <= 0) return Fail(400, "PARAM_ERROR", "订单金额必须大于0");
            var order = Orders.GetOrAdd(outTradeNo, _ => new Order(outTradeNo, "wx" + Guid.NewGuid().ToString("N")[..28], root.GetProperty("appid").GetString()!,
                total, root.GetProperty("payer").GetProperty("openid").GetString()!, root.GetProperty("notify_url").GetString()!, root.GetProperty("description").GetString()!));
            // The same order number with other terms is a different order: WeChat Pay refuses it.
            if (order.Total != total) return Fail(400, "INVALID_REQUEST", "201 商户订单号重复");
            if (order.State == "SUCCESS") return Fail(400, "ORDERPAID", "该订单已支付");
            return Results.Json(new { prepay_id = order.PrepayId });
        });

        app.MapGet("/v3/pay/transactions/out-trade-no/{outTradeNo}", (string outTradeNo, HttpRequest request) =>
        {
            Interlocked.Increment(ref _queries);
            if (!SignedByMerchant(request, "")) return SignError();
            return Orders.TryGetValue(outTradeNo, out var order)
                ? Results.Json(new { out_trade_no = order.OutTradeNo, transaction_id = order.TransactionId, trade_state = order.State, amount = new { total = order.Total, currency = "CNY" } })
                : Fail(404, "ORDER_NOT_EXIST", "订单不存在");
        });

        app.MapPost("/v3/refund/domestic/refunds", async (HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            if (!SignedByMerchant(request, body)) return SignError();
            var root = JsonDocument.Parse(body).RootElement;
            var outTradeNo = root.GetProperty("out_trade_no").GetString()!;
            if (!Orders.TryGetValue(outTradeNo, out var order) || order.State != "SUCCESS") return Fail(404, "RESOURCE_NOT_EXISTS", "订单不存在或未支付");
            var amount = root.GetProperty("amount").GetProperty("refund").GetInt64();
            if (amount > order.Total) return Fail(400, "PARAM_ERROR", "退款金额超过订单金额");
            var refund = Refunds.GetOrAdd(root.GetProperty("out_refund_no").GetString()!, no => new Refund(no, outTradeNo, amount, root.GetProperty("reason").GetString() ?? ""));
            return Results.Json(new { out_refund_no = refund.OutRefundNo, out_trade_no = outTradeNo, status = "SUCCESS", amount = new { refund = refund.Amount, total = order.Total } });
        });
    }

    /// <summary>The payer confirms in WeChat: the order is paid, and the notification WeChat Pay sends about it is made (not sent).</summary>
    public Notification MarkPaid(string outTradeNo, long? reportedTotal = null)
    {
        var order = Orders[outTradeNo];
        order.State = "SUCCESS";
        return NotificationFor(order, reportedTotal ?? order.Total);
    }

    /// <summary>Pays and sends the notification to the merchant's notify_url, as WeChat Pay does; the HTTP status of the merchant's answer.</summary>
    public async Task<int> PayAsync(string outTradeNo)
    {
        var notification = MarkPaid(outTradeNo);
        using var response = await _notifier.SendAsync(RequestFor(Orders[outTradeNo].NotifyUrl, notification));
        return (int)response.StatusCode;
    }

    /// <summary>A notification as an HTTP request to the merchant (to send it again, or through a test's own client).</summary>
    public static HttpRequestMessage RequestFor(string notifyUrl, Notification n)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, notifyUrl) { Content = new StringContent(n.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Wechatpay-Timestamp", n.Timestamp);
        request.Headers.Add("Wechatpay-Nonce", n.Nonce);
        request.Headers.Add("Wechatpay-Signature", n.Signature);
        request.Headers.Add("Wechatpay-Serial", n.Serial);
        return request;
    }

    /// <summary>Checks the paySign of wx.requestPayment as WeChat does before showing the payer the amount.</summary>
    public bool PaySignIsValid(string appId, string timeStamp, string nonceStr, string package, string paySign) =>
        _merchant.VerifyData(Encoding.UTF8.GetBytes($"{appId}\n{timeStamp}\n{nonceStr}\n{package}\n"), Convert.FromBase64String(paySign), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary>The same body signed by a key that is not WeChat Pay's: what a forger can make.</summary>
    public static Notification ForgedBy(RSA key, Notification n)
    {
        var signature = Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes($"{n.Timestamp}\n{n.Nonce}\n{n.Body}\n"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return n with { Signature = signature };
    }

    /// <summary>A TRANSACTION.SUCCESS notification for the order, signed at the given time (now by default).</summary>
    public Notification NotificationFor(Order order, long total, DateTimeOffset? at = null)
    {
        var resource = JsonSerializer.Serialize(new
        {
            mchid = MerchantId, appid = order.AppId, out_trade_no = order.OutTradeNo, transaction_id = order.TransactionId, trade_type = "JSAPI",
            trade_state = "SUCCESS", trade_state_desc = "支付成功", success_time = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            payer = new { openid = order.OpenId }, amount = new { total, payer_total = total, currency = "CNY", payer_currency = "CNY" },
        });
        var nonce = Guid.NewGuid().ToString("N")[..12];
        var body = JsonSerializer.Serialize(new
        {
            id = Guid.NewGuid().ToString(), create_time = DateTimeOffset.UtcNow.ToString("o"), resource_type = "encrypt-resource",
            event_type = "TRANSACTION.SUCCESS", summary = "支付成功",
            resource = new { original_type = "transaction", algorithm = "AEAD_AES_256_GCM", ciphertext = Seal(resource, nonce, "transaction"), associated_data = "transaction", nonce },
        });
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var headerNonce = Guid.NewGuid().ToString("N");
        var signature = Convert.ToBase64String(_platform.SignData(Encoding.UTF8.GetBytes($"{timestamp}\n{headerNonce}\n{body}\n"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return new Notification(timestamp, headerNonce, signature, PlatformSerialNo, body);
    }

    private string Seal(string plaintext, string nonce, string associatedData)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        using var aes = new AesGcm(Encoding.UTF8.GetBytes(ApiV3Key), 16);
        aes.Encrypt(Encoding.UTF8.GetBytes(nonce), plain, cipher, tag, Encoding.UTF8.GetBytes(associatedData));
        return Convert.ToBase64String([.. cipher, .. tag]);
    }

    private bool SignedByMerchant(HttpRequest request, string body)
    {
        var match = AuthorizationPattern().Match(request.Headers.Authorization.ToString());
        if (!match.Success || match.Groups["mchid"].Value != MerchantId || match.Groups["serial"].Value != MerchantSerialNo) return false;
        if (!long.TryParse(match.Groups["timestamp"].Value, out var ts) || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - ts) > 300) return false;
        var message = $"{request.Method}\n{request.Path}{request.QueryString}\n{ts}\n{match.Groups["nonce"].Value}\n{body}\n";
        try
        {
            return _merchant.VerifyData(Encoding.UTF8.GetBytes(message), Convert.FromBase64String(match.Groups["signature"].Value), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static IResult SignError() => Fail(401, "SIGN_ERROR", "签名错误");

    private static IResult Fail(int status, string code, string message) => Results.Json(new { code, message }, statusCode: status);

    [GeneratedRegex("^WECHATPAY2-SHA256-RSA2048 mchid=\"(?<mchid>[^\"]+)\",nonce_str=\"(?<nonce>[^\"]+)\",timestamp=\"(?<timestamp>[0-9]+)\",serial_no=\"(?<serial>[^\"]+)\",signature=\"(?<signature>[^\"]+)\"$")]
    private static partial Regex AuthorizationPattern();
}
