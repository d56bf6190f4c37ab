namespace Eldercare.Hotline.Calls;

/// <summary>Numbers, money and times as a Mandarin speaker says them, so the text-to-speech reads them naturally.</summary>
public static class ChineseWords
{
    private static readonly string[] Digits = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

    /// <summary>
    /// The wall-clock time callers live by (today, tomorrow, calling hours). Beijing has kept UTC+8 without daylight
    /// saving since 1991; the hotline is its own process and does not share the API's BusinessTime.
    /// </summary>
    public static DateTime BeijingNow(TimeProvider clock) => clock.GetUtcNow().UtcDateTime.AddHours(8);

    /// <summary>0-9999 in words: 15 → 十五, 120 → 一百二十, 1005 → 一千零五.</summary>
    public static string Number(int n)
    {
        if (n is < 0 or > 9999) return n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (n < 10) return Digits[n];
        if (n < 20) return "十" + (n % 10 == 0 ? "" : Digits[n % 10]);
        int[] places = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
        string[] names = ["千", "百", "十", ""];
        var words = "";
        var zeroBetween = false;
        for (var i = 0; i < places.Length; i++)
        {
            if (places[i] == 0) { zeroBetween = words.Length > 0; continue; }
            if (zeroBetween) { words += "零"; zeroBetween = false; }
            words += Digits[places[i]] + names[i];
        }
        return words;
    }

    /// <summary>Money in fen as said on the phone: 1500 → 十五元, 1250 → 十二元五角, 0 → 不用付钱.</summary>
    public static string Money(long fen)
    {
        if (fen == 0) return "不用付钱";
        var yuan = (int)(fen / 100);
        var jiao = (int)(fen % 100 / 10);
        return (yuan > 0 ? Number(yuan) + "元" : "") + (jiao > 0 ? Digits[jiao] + "角" : "");
    }

    /// <summary>A day and time relative to today: 今天下午两点半, 明天上午九点, 后天上午十点, 12月3日上午九点.</summary>
    public static string When(DateOnly date, TimeOnly time, DateOnly today)
    {
        var day = (date.DayNumber - today.DayNumber) switch
        {
            0 => "今天",
            1 => "明天",
            2 => "后天",
            _ => $"{Number(date.Month)}月{Number(date.Day)}日",
        };
        var part = time.Hour < 12 ? "上午" : time.Hour == 12 ? "中午" : time.Hour < 18 ? "下午" : "晚上";
        var hour = time.Hour > 12 ? time.Hour - 12 : time.Hour;
        var hourWord = hour == 2 ? "两" : Number(hour);
        var minutes = time.Minute switch { 0 => "", 30 => "半", var m => Number(m) + "分" };
        return $"{day}{part}{hourWord}点{minutes}";
    }

    /// <summary>How a service comes, as the caller hears it (the API's ServiceModes names).</summary>
    public static string Mode(string mode, string line) => mode switch
    {
        "AtCentre" => line == "Meals" ? "到餐桌吃" : "到站里来",
        "Delivery" => "送餐到家",
        "AtHome" => "上门服务",
        _ => mode,
    };
}
