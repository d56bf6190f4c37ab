namespace Eldercare.Api.Domain;

/// <summary>
/// The pinyin initials of a Chinese name (王建国 → WJG, 单雪梅 → SXM), so staff can find an elder by typing a few
/// letters. The letters come from config/pinyin/initials.txt, generated from the pinyin-pro library.
/// </summary>
public static class PinyinInitials
{
    private const int FirstIdeograph = 0x4E00;
    private static readonly (string Letters, Dictionary<char, char> Surnames) Table = Load();

    /// <summary>Upper-case initials; Latin letters and digits are kept as they are, everything else is dropped.</summary>
    public static string Of(string name)
    {
        var initials = new System.Text.StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsAsciiLetterOrDigit(c)) initials.Append(char.ToUpperInvariant(c));
            else if (i == 0 && Table.Surnames.TryGetValue(c, out var surname)) initials.Append(surname);
            else if (c - FirstIdeograph is var index && index >= 0 && index < Table.Letters.Length && Table.Letters[index] != '_')
                initials.Append(Table.Letters[index]);
        }
        return initials.ToString();
    }

    private static (string, Dictionary<char, char>) Load()
    {
        using var stream = typeof(PinyinInitials).Assembly.GetManifestResourceStream("Eldercare.PinyinInitials.txt")
            ?? throw new InvalidOperationException("The pinyin initials table is missing from the build.");
        using var reader = new StreamReader(stream);
        var letters = reader.ReadLine()!;
        var surnames = reader.ReadLine()!;
        return (letters, Enumerable.Range(0, surnames.Length / 2).ToDictionary(i => surnames[2 * i], i => surnames[2 * i + 1]));
    }
}
