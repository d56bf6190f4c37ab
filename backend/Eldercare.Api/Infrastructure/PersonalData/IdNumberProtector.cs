using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Infrastructure.PersonalData;

public sealed class PersonalDataOptions : IValidatableObject
{
    /// <summary>Base64 of 32 random bytes. Comes from the environment (PersonalData__IdNumberKey), never from the repository.</summary>
    [Required] public string IdNumberKey { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        Span<byte> key = stackalloc byte[64];
        if (!Convert.TryFromBase64String(IdNumberKey, key, out var length) || length != 32)
            yield return new ValidationResult("must be the base64 encoding of exactly 32 bytes (e.g. `openssl rand -base64 32`)", [nameof(IdNumberKey)]);
    }
}

/// <summary>
/// Encrypts ID numbers at rest (AES-256-GCM, a fresh nonce per value) and derives a keyed hash for exact
/// look-ups and duplicate detection, so the database never holds a readable or guessable ID number.
/// </summary>
public sealed class IdNumberProtector
{
    private const string Version = "v1.";
    private readonly byte[] _encryptionKey;
    private readonly byte[] _lookupKey;
    private readonly byte[] _tailKey;

    public IdNumberProtector(IOptions<PersonalDataOptions> options)
    {
        var master = Convert.FromBase64String(options.Value.IdNumberKey);
        _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, info: "eldercare id-number encryption"u8.ToArray());
        _lookupKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, info: "eldercare id-number lookup"u8.ToArray());
        _tailKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, info: "eldercare id-number tail"u8.ToArray());
    }

    public string Protect(string idNumber)
    {
        var plain = Encoding.ASCII.GetBytes(ChineseIdNumber.Normalize(idNumber));
        var sealedBox = new byte[12 + plain.Length + 16];
        var nonce = sealedBox.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_encryptionKey, 16);
        aes.Encrypt(nonce, plain, sealedBox.AsSpan(12, plain.Length), sealedBox.AsSpan(12 + plain.Length));
        return Version + Convert.ToBase64String(sealedBox);
    }

    public string Unprotect(string protectedValue)
    {
        if (!protectedValue.StartsWith(Version, StringComparison.Ordinal)) throw new CryptographicException("Unknown ID-number cipher version.");
        var sealedBox = Convert.FromBase64String(protectedValue[Version.Length..]);
        var plain = new byte[sealedBox.Length - 28];
        using var aes = new AesGcm(_encryptionKey, 16);
        aes.Decrypt(sealedBox.AsSpan(0, 12), sealedBox.AsSpan(12, plain.Length), sealedBox.AsSpan(12 + plain.Length), plain);
        return Encoding.ASCII.GetString(plain);
    }

    /// <summary>The same ID number always gives the same hash (for this key); the hash cannot be reversed without the key.</summary>
    public string LookupHash(string idNumber) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_lookupKey, Encoding.ASCII.GetBytes(ChineseIdNumber.Normalize(idNumber))));

    /// <summary>
    /// Keyed hash of the last four characters ("1234", "567X"; a whole number works too): only ten thousand or so values,
    /// so without the key they could all be tried; with it, the column is of no use to whoever copies the database.
    /// </summary>
    public string TailHash(string idNumberOrTail)
    {
        var normal = ChineseIdNumber.Normalize(idNumberOrTail);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_tailKey, Encoding.ASCII.GetBytes(normal.Length >= 4 ? normal[^4..] : normal)));
    }

    /// <summary>What screens show of a stored number (<c>**************002X</c>), from the decrypted number.</summary>
    public string Mask(string protectedValue) => ChineseIdNumber.Mask(Unprotect(protectedValue)[^4..]);

}

public static class PersonalDataSetup
{
    public static IServiceCollection AddPersonalData(this IServiceCollection services)
    {
        services.AddValidatedOptions<PersonalDataOptions>("PersonalData");
        services.AddSingleton<IdNumberProtector>();
        return services;
    }
}
