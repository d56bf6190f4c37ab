using Eldercare.Api.Domain;

namespace Eldercare.Tests;

public sealed class MealCodeTests
{
    [Fact]
    public void New_codes_are_ten_digits_that_pass_their_own_check()
    {
        var codes = Enumerable.Range(0, 1000).Select(_ => MealCode.New()).ToList();
        Assert.All(codes, c => Assert.Matches("^[1-9][0-9]{9}$", c));
        Assert.All(codes, c => Assert.Equal(c, MealCode.Normalise(c)));
        Assert.True(codes.Distinct().Count() > 990);
    }

    [Fact]
    public void Any_single_mistyped_digit_or_swapped_neighbours_are_caught()
    {
        var code = MealCode.New();
        for (var i = 0; i < code.Length; i++)
            for (var d = '0'; d <= '9'; d++)
                if (d != code[i])
                    Assert.Null(MealCode.Normalise(code[..i] + d + code[(i + 1)..]));
        for (var i = 0; i < code.Length - 1; i++)
        {
            if (code[i] == code[i + 1] || (code[i], code[i + 1]) is ('0', '9') or ('9', '0')) continue; // the one swap Luhn cannot see
            Assert.Null(MealCode.Normalise(code[..i] + code[i + 1] + code[i] + code[(i + 2)..]));
        }
    }

    [Fact]
    public void A_code_typed_from_the_card_with_spaces_or_dashes_is_read_and_printed_in_groups_of_four()
    {
        var code = MealCode.New();
        Assert.Equal(code, MealCode.Normalise(MealCode.Format(code)));
        Assert.Equal(code, MealCode.Normalise(code[..4] + "-" + code[4..]));
        Assert.Matches("^[0-9]{4} [0-9]{4} [0-9]{2}$", MealCode.Format(code));
        Assert.Null(MealCode.Normalise(code + "1"));
        Assert.Null(MealCode.Normalise("abcdefghij"));
        Assert.Null(MealCode.Normalise(null));
    }
}
