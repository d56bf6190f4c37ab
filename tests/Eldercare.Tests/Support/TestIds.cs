using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.PersonalData;
using Microsoft.Extensions.Options;

namespace Eldercare.Tests.Support;

/// <summary>ID numbers for test elders, protected with the test run's key as the hub protects them, and read back the same way.</summary>
public static class TestIds
{
    public static IdNumberProtector Protector { get; } = new(Options.Create(new PersonalDataOptions { IdNumberKey = ApiFactory.IdNumberKey }));

    private static int _issued;

    /// <summary>
    /// A valid number of Haidian (110108) for someone aged <paramref name="age"/>, and their birth date. Numbers are
    /// never issued twice in a test run (the hub refuses a second file with the same number): each takes the next
    /// sequence (000-999, odd for men), then the next birthday back, within the 10-355 days that keep that age.
    /// </summary>
    public static (DateOnly Birth, string IdNumber) New(int age, Gender gender)
    {
        var n = Interlocked.Increment(ref _issued);
        var birth = DateOnly.FromDateTime(DateTime.Today).AddYears(-age).AddDays(-10 - n / 500 % 345);
        var sequence = n % 500 * 2 + (gender == Gender.Male ? 1 : 0);
        var first17 = $"110108{birth:yyyyMMdd}{sequence:000}";
        return (birth, first17 + ChineseIdNumber.CheckCharacter(first17));
    }

    public static string IdNumberOf(Elder elder) => Protector.Unprotect(elder.IdNumberCipher);

    /// <summary>What the elder says when asked for the last four of their ID number.</summary>
    public static string TailOf(Elder elder) => IdNumberOf(elder)[^4..];

    /// <summary>How screens show the elder's number.</summary>
    public static string MaskOf(Elder elder) => ChineseIdNumber.Mask(TailOf(elder));
}
