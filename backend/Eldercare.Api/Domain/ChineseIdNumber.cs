namespace Eldercare.Api.Domain;

/// <summary>Rules of the 18-character resident ID number (GB 11643-1999): region, birth date, sequence, ISO 7064 check character.</summary>
public static class ChineseIdNumber
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += (first17[i] - '0') * Weights[i];
        return CheckCharacters[sum % 11];
    }

    /// <summary>Upper-cases a trailing x and trims spaces, so the same number is always stored and hashed the same way.</summary>
    public static string Normalize(string idNumber) => idNumber.Trim().ToUpperInvariant();

    public static bool IsValid(string? idNumber)
    {
        if (idNumber is null) return false;
        var id = Normalize(idNumber);
        if (id.Length != 18) return false;
        for (var i = 0; i < 17; i++) if (!char.IsAsciiDigit(id[i])) return false;
        if (!DateOnly.TryParseExact(id.AsSpan(6, 8), "yyyyMMdd", out _)) return false;
        return CheckCharacter(id.AsSpan(0, 17)) == id[17];
    }

    public static DateOnly BirthDate(string idNumber) => DateOnly.ParseExact(idNumber.AsSpan(6, 8), "yyyyMMdd");

    /// <summary>The 17th digit is odd for men and even for women.</summary>
    public static Gender Gender(string idNumber) => (idNumber[16] - '0') % 2 == 1 ? Domain.Gender.Male : Domain.Gender.Female;

    /// <summary>What screens show: only the last four characters.</summary>
    public static string Mask(string last4) => new string('*', 14) + last4;
}
