using System.Security.Cryptography;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.PersonalData;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.Extensions.Options;

namespace Eldercare.Tests;

public sealed class BusinessTimeTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void Late_evening_utc_is_already_tomorrow_in_shanghai()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 11, 22, 16, 30, 0, TimeSpan.Zero));
        Assert.Equal(new DateOnly(2026, 11, 23), clock.Today());
        Assert.Equal(new DateTime(2026, 11, 23, 0, 30, 0), clock.BusinessNow());
    }

    [Fact]
    public void A_shanghai_cut_off_is_eight_hours_ahead_of_utc()
    {
        Assert.Equal(new DateTime(2026, 11, 23, 1, 30, 0, DateTimeKind.Utc), BusinessTime.ToUtc(new DateOnly(2026, 11, 23), new TimeOnly(9, 30)));
    }
}

public sealed class IdNumberTests
{
    private static readonly IdNumberProtector Protector =
        new(Options.Create(new PersonalDataOptions { IdNumberKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));

    [Theory]
    [InlineData("11010519491231002X", true)]   // the standard's own example
    [InlineData("11010519491231002x", true)]   // a lower-case x is the same number
    [InlineData("110105194912310021", false)]  // wrong check character
    [InlineData("110105194902300023", false)]  // 30 February
    [InlineData("11010519491231002", false)]   // 17 characters
    [InlineData("1101051949123100A2", false)]
    [InlineData(null, false)]
    public void Check_characters_and_birth_dates_are_validated(string? idNumber, bool valid) =>
        Assert.Equal(valid, ChineseIdNumber.IsValid(idNumber));

    [Fact]
    public void Birth_date_and_gender_are_read_from_the_number()
    {
        Assert.Equal(new DateOnly(1949, 12, 31), ChineseIdNumber.BirthDate("11010519491231002X"));
        Assert.Equal(Gender.Female, ChineseIdNumber.Gender("11010519491231002X"));
        Assert.Equal(Gender.Male, ChineseIdNumber.Gender("110105194912310011"));
    }

    [Fact]
    public void Encryption_round_trips_uses_a_fresh_nonce_and_detects_tampering()
    {
        var first = Protector.Protect("11010519491231002x");
        var second = Protector.Protect("11010519491231002X");
        Assert.NotEqual(first, second);
        Assert.DoesNotContain("19491231", first);
        Assert.Equal("11010519491231002X", Protector.Unprotect(first));
        Assert.Equal(Protector.LookupHash("11010519491231002x"), Protector.LookupHash("11010519491231002X"));

        var bytes = Convert.FromBase64String(first[3..]);
        bytes[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => Protector.Unprotect("v1." + Convert.ToBase64String(bytes)));
    }

    [Fact]
    public void Screens_see_only_the_last_four_characters() =>
        Assert.Equal("**************002X", ChineseIdNumber.Mask("002X"));
}
