using System.Security.Cryptography;
using System.Text;

namespace Eldercare.Api.Infrastructure.WeChat;

/// <summary>
/// The cryptography of WeChat Pay API v3, nothing else: RSA-SHA256 (PKCS#1 v1.5) signatures over newline-ended
/// lines, and AES-256-GCM for the resource of a notification (the 16-byte tag is the end of the ciphertext).
/// - a request to WeChat Pay is signed over "METHOD\nURL\ntimestamp\nnonce\nbody\n" with the merchant's key;
/// - the mini-program's wx.requestPayment is signed over "appId\ntimeStamp\nnonceStr\npackage\n" with the same key;
/// - a notification (or answer) from WeChat Pay is signed over "timestamp\nnonce\nbody\n" with the platform's key.
/// </summary>
public static class WeChatPaySignatures
{
    public static string Sign(RSA privateKey, params string[] lines) =>
        Convert.ToBase64String(privateKey.SignData(Message(lines), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public static bool Verify(RSA publicKey, string signature, params string[] lines)
    {
        Span<byte> bytes = stackalloc byte[512];
        return Convert.TryFromBase64String(signature, bytes, out var length)
            && publicKey.VerifyData(Message(lines), bytes[..length], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>The Authorization header of a request to WeChat Pay.</summary>
    public static string Authorization(string merchantId, string serialNo, RSA privateKey, string method, string pathAndQuery, string body, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var nonce = Nonce();
        var signature = Sign(privateKey, method, pathAndQuery, timestamp, nonce, body);
        return $"WECHATPAY2-SHA256-RSA2048 mchid=\"{merchantId}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{serialNo}\",signature=\"{signature}\"";
    }

    /// <summary>Decrypts a notification's resource; null when the key, nonce, associated data or ciphertext do not fit together.</summary>
    public static string? Decrypt(byte[] apiV3Key, string nonce, string associatedData, string ciphertextBase64)
    {
        try
        {
            var sealedBytes = Convert.FromBase64String(ciphertextBase64);
            if (sealedBytes.Length < 16) return null;
            var cipher = sealedBytes.AsSpan(0, sealedBytes.Length - 16);
            var tag = sealedBytes.AsSpan(sealedBytes.Length - 16);
            var plain = new byte[cipher.Length];
            using var aes = new AesGcm(apiV3Key, 16);
            aes.Decrypt(Encoding.UTF8.GetBytes(nonce), cipher, tag, plain, Encoding.UTF8.GetBytes(associatedData));
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Encrypts as WeChat Pay does (used by the fake WeChat server and the tests).</summary>
    public static string Encrypt(byte[] apiV3Key, string nonce, string associatedData, string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[plain.Length + 16];
        using var aes = new AesGcm(apiV3Key, 16);
        aes.Encrypt(Encoding.UTF8.GetBytes(nonce), plain, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), Encoding.UTF8.GetBytes(associatedData));
        return Convert.ToBase64String(sealedBytes);
    }

    public static string Nonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private static byte[] Message(string[] lines) => Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
}
