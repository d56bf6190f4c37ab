namespace Eldercare.Api.Features.DemoData;

/// <summary>
/// The fixed facts of the demo street, modelled on Xueyuan Road street in Haidian district: its communities,
/// stations and service points. Everything about people is generated from the seed in <see cref="DemoDataLoader"/>.
/// </summary>
internal static class DemoStreet
{
    public const string District = "北京市海淀区";
    public const string Street = "学院路街道";
    public const string RegionCode = "110108"; // Haidian's administrative division code, the start of its ID numbers

    // Latitude/longitude of the street's south-west corner; communities sit on a grid of about 350 m.
    public const double OriginLat = 39.9860, OriginLng = 116.3330;

    public static readonly string[] Communities =
    [
        "石油大院社区", "地质大学社区", "语言大学社区", "林业大学社区", "二里庄社区", "展春园社区", "静淑东里社区", "静淑苑社区", "学院路东社区",
        "逸成东苑社区", "清华东路西社区", "双清路社区", "城华园社区", "石科院社区", "电科院社区", "矿业大学社区", "科技大学社区", "健翔园社区",
        "博雅西园社区", "九间房社区", "五道口社区", "学知园社区", "华清嘉园社区", "东王庄社区", "王庄路社区", "荷清苑社区", "志新村社区",
    ];

    public static readonly (string Name, string Address, string DutyPhone)[] Stations =
    [
        ("学院路第一养老服务驿站", "学院路20号院3号楼底商", "01062301001"),
        ("学院路第二养老服务驿站", "清华东路16号院1号楼一层", "01062302002"),
        ("学院路第三养老服务驿站", "王庄路1号院8号楼一层", "01062303003"),
    ];

    // Meal points: (name, station index, community index it stands in)
    public static readonly (string Name, int Station, int Community)[] MealPoints =
    [
        ("石油大院老年餐桌", 0, 0),
        ("二里庄社区助餐点", 0, 4),
        ("清华东路社区食堂", 1, 10),
        ("王庄路长者餐厅", 2, 24),
    ];

    public static readonly string[] Surnames =
    [
        "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗",
        "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "程", "曹", "袁", "邓", "许", "沈", "曾", "彭", "吕", "苏", "卢",
    ];

    public static readonly string[] ElderMaleNames =
    [
        "建国", "建华", "国强", "志强", "德明", "振华", "文华", "永福", "宝山", "春生", "树林", "福海", "长江", "玉林", "庆丰", "德胜",
        "国庆", "秀山", "守仁", "立新", "广才", "占元", "学文", "继红", "金龙", "洪波", "家骏", "振东", "世杰", "连生",
    ];

    public static readonly string[] ElderFemaleNames =
    [
        "淑珍", "秀英", "桂兰", "玉兰", "凤英", "秀兰", "玉珍", "桂芝", "淑兰", "秀芳", "玉梅", "翠华", "素琴", "凤兰", "桂英", "美华",
        "瑞芬", "丽华", "慧敏", "月娥", "金凤", "秀云", "宝珍", "淑华", "文英", "彩霞", "雅琴", "丽娟", "惠兰", "玉凤",
    ];

    public static readonly string[] YoungerNames =
    [
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚",
        "海燕", "晓东", "建军", "红梅", "雪梅", "志刚", "晓华", "丽萍", "俊峰", "海涛",
    ];

    public static readonly string[] ChildRelations = ["儿子", "女儿", "儿媳", "女婿", "孙子", "孙女"];

    public static readonly string[] MobilePrefixes = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158", "159", "186", "187", "188", "189"];
}
