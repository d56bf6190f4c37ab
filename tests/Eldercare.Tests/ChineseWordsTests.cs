using Eldercare.Hotline.Calls;

namespace Eldercare.Tests;

/// <summary>Numbers, money and times as the hotline says them.</summary>
public sealed class ChineseWordsTests
{
    [Theory]
    [InlineData(0, "零")]
    [InlineData(7, "七")]
    [InlineData(10, "十")]
    [InlineData(15, "十五")]
    [InlineData(20, "二十")]
    [InlineData(105, "一百零五")]
    [InlineData(110, "一百一十")]
    [InlineData(120, "一百二十")]
    [InlineData(1005, "一千零五")]
    [InlineData(2300, "二千三百")]
    public void Numbers(int n, string words) => Assert.Equal(words, ChineseWords.Number(n));

    [Theory]
    [InlineData(1500L, "十五元")]
    [InlineData(1250L, "十二元五角")]
    [InlineData(50L, "五角")]
    [InlineData(0L, "不用付钱")]
    public void Money(long fen, string words) => Assert.Equal(words, ChineseWords.Money(fen));

    [Fact]
    public void Times_are_said_relative_to_today()
    {
        var today = new DateOnly(2026, 11, 30);
        Assert.Equal("今天下午两点半", ChineseWords.When(today, new TimeOnly(14, 30), today));
        Assert.Equal("明天上午九点", ChineseWords.When(today.AddDays(1), new TimeOnly(9, 0), today));
        Assert.Equal("后天晚上七点十五分", ChineseWords.When(today.AddDays(2), new TimeOnly(19, 15), today));
        Assert.Equal("十二月三日上午十点", ChineseWords.When(new DateOnly(2026, 12, 3), new TimeOnly(10, 0), today));
        Assert.Equal("明天中午十二点", ChineseWords.When(today.AddDays(1), new TimeOnly(12, 0), today));
    }
}
