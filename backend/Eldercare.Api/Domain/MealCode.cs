using System.Security.Cryptography;

namespace Eldercare.Api.Domain;

/// <summary>
/// An elder's meal code (餐卡号): ten digits, the last a Luhn check digit so a mistyped code is caught at the
/// window instead of serving someone else's meal. Random, so codes say nothing about the elder; shown as a QR
/// code in the mini-program and printed on a card, and typed or scanned where meals are handed out.
/// </summary>
public static class MealCode
{
    public const int Length = 10;

    public static string New()
    {
        Span<char> digits = stackalloc char[Length];
        digits[0] = (char)('1' + RandomNumberGenerator.GetInt32(9)); // no leading zero: spreadsheets keep it
        for (var i = 1; i < Length - 1; i++) digits[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
        digits[^1] = CheckDigit(digits[..^1]);
        return new string(digits);
    }

    /// <summary>The code in its stored form (digits only), or null when it cannot be a meal code. Spaces and dashes from a printed card are ignored.</summary>
    public static string? Normalise(string? typed)
    {
        if (typed is null) return null;
        var digits = new string(typed.Where(c => c is not (' ' or '-')).ToArray());
        if (digits.Length != Length || !digits.All(char.IsAsciiDigit)) return null;
        return CheckDigit(digits.AsSpan(0, Length - 1)) == digits[^1] ? digits : null;
    }

    /// <summary>Printed in groups of four, as on a bank card: 1234 5678 90.</summary>
    public static string Format(string code) => $"{code[..4]} {code[4..8]} {code[8..]}";

    private static char CheckDigit(ReadOnlySpan<char> payload)
    {
        var sum = 0;
        for (var i = 0; i < payload.Length; i++)
        {
            var d = payload[payload.Length - 1 - i] - '0';
            if (i % 2 == 0) { d *= 2; if (d > 9) d -= 9; }
            sum += d;
        }
        return (char)('0' + (10 - sum % 10) % 10);
    }
}
