using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.PersonalData;
using Microsoft.Extensions.Options;

namespace Eldercare.Tests.Support;

/// <summary>ID numbers for test elders, protected with the test run's key as the hub protects them, and read back the same way.</summary>
public static class TestIds
{
    public static IdNumberProtector Protector { get; } = new(Options.Create(new PersonalDataOptions { IdNumberKey = ApiFactory.IdNumberKey }));

    /// <summary>A valid number of Haidian (110108) for this birth date and sex, with a random sequence.</summary>
    public static string New(DateOnly birth, Gender gender)
    {
        var sequence = Random.Shared.Next(50, 500) * 2 + (gender == Gender.Male ? 1 : 0);
        var first17 = $"110108{birth:yyyyMMdd}{sequence:000}";
        return first17 + ChineseIdNumber.CheckCharacter(first17);
    }

    public static string IdNumberOf(Elder elder) => Protector.Unprotect(elder.IdNumberCipher);

    /// <summary>What the elder says when asked for the last four of their ID number.</summary>
    public static string TailOf(Elder elder) => IdNumberOf(elder)[^4..];

    /// <summary>How screens show the elder's number.</summary>
    public static string MaskOf(Elder elder) => ChineseIdNumber.Mask(TailOf(elder));
}
