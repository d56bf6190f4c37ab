namespace Eldercare.Api.Domain;

/// <summary>A street (街道): runs a regional service centre and owns a set of communities.</summary>
public class Street
{
    public int Id { get; set; }
    public required string District { get; set; }
    public required string Name { get; set; }
}

/// <summary>An eldercare station (养老服务驿站). Its responsibility zone is the set of communities that point to it.</summary>
public class Station
{
    public int Id { get; set; }
    public int StreetId { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public required string Address { get; set; }
    public GeoPoint Location { get; set; }
    /// <summary>The duty line that emergencies are transferred to.</summary>
    public required string DutyPhone { get; set; }
}

/// <summary>A community (社区). Every community lies in exactly one station's responsibility zone.</summary>
public class Community
{
    public int Id { get; set; }
    public int StreetId { get; set; }
    public int StationId { get; set; }
    public required string Code { get; set; }
    public required string Name { get; set; }
    public GeoPoint Centre { get; set; }
    public int Residents { get; set; }
}

public enum VenueKind { MealPoint, BathingRoom, HealthStation }

/// <summary>A place where elders are served: a meal point (助餐点), a bathing room or a community health station.</summary>
public class Venue
{
    public int Id { get; set; }
    public int StationId { get; set; }
    public VenueKind Kind { get; set; }
    public required string Name { get; set; }
    public required string Address { get; set; }
    public GeoPoint Location { get; set; }
}

public enum ResourceKind { MealPoint, BathingRoom, HomeBathingTeam, CaregiverPool, Doctor }

/// <summary>Something whose capacity is booked in slots: a meal point's kitchen, a bathing room, a home-bathing team, a station's caregiver pool, a doctor.</summary>
public class ServiceResource
{
    public int Id { get; set; }
    public int StationId { get; set; }
    public int? VenueId { get; set; }
    public ResourceKind Kind { get; set; }
    public required string Name { get; set; }
    public string? Detail { get; set; }
}

/// <summary>A caregiver (护理员) employed by a station.</summary>
public class Caregiver
{
    public int Id { get; set; }
    public int StationId { get; set; }
    public required string Name { get; set; }
    public required string Phone { get; set; }
    public bool CanBathe { get; set; }
    /// <summary>Left the station (or on long leave): kept for the history, offered for no new visits.</summary>
    public bool IsActive { get; set; } = true;
}

/// <summary>WGS-84 latitude and longitude in degrees.</summary>
public readonly record struct GeoPoint(double Latitude, double Longitude)
{
    /// <summary>Set at all: (0, 0) is where a file without a location on the map says it is.</summary>
    public bool IsKnown => Latitude != 0 || Longitude != 0;

    /// <summary>A point read from an outer join: null where the row (a venue) is missing.</summary>
    public static GeoPoint? From(double? latitude, double? longitude) =>
        latitude is { } lat && longitude is { } lon ? new GeoPoint(lat, lon) : null;

    /// <summary>Whole metres to another point, as shown to elders; null where either is not on the map.</summary>
    public int? WholeMetresTo(GeoPoint? other) => IsKnown && other is { IsKnown: true } at ? (int)Math.Round(MetresTo(at)) : null;

    /// <summary>As the crow flies, in metres (haversine; within a street the earth is round enough for this).</summary>
    public double MetresTo(GeoPoint other)
    {
        const double earthRadius = 6_371_000;
        static double Radians(double degrees) => degrees * Math.PI / 180;
        var dLat = Radians(other.Latitude - Latitude);
        var dLon = Radians(other.Longitude - Longitude);
        var a = Math.Pow(Math.Sin(dLat / 2), 2) + Math.Cos(Radians(Latitude)) * Math.Cos(Radians(other.Latitude)) * Math.Pow(Math.Sin(dLon / 2), 2);
        return 2 * earthRadius * Math.Asin(Math.Sqrt(a));
    }
}

/// <summary>
/// China's map datum: phones and maps in China (WeChat's wx.getLocation with gcj02, wx.openLocation) give and take
/// GCJ-02 points, offset from WGS-84 by a few hundred metres in Beijing; files keep WGS-84. This converts between them
/// (the published GCJ-02 formula one way, a few fixed-point steps back, within a metre).
/// </summary>
public static class ChinaDatum
{
    private const double Axis = 6378245.0;
    private const double Eccentricity = 0.00669342162296594323;

    public static GeoPoint ToGcj02(GeoPoint wgs)
    {
        if (!InChina(wgs)) return wgs;
        var (x, y) = (wgs.Longitude - 105.0, wgs.Latitude - 35.0);
        var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.Sqrt(Math.Abs(x)) + Waves(x, y, y);
        var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.Sqrt(Math.Abs(x)) + Waves(x, x, x, longitude: true);
        var radLat = wgs.Latitude / 180.0 * Math.PI;
        var magic = 1 - Eccentricity * Math.Sin(radLat) * Math.Sin(radLat);
        var sqrtMagic = Math.Sqrt(magic);
        dLat = dLat * 180.0 / (Axis * (1 - Eccentricity) / (magic * sqrtMagic) * Math.PI);
        dLon = dLon * 180.0 / (Axis / sqrtMagic * Math.Cos(radLat) * Math.PI);
        return new GeoPoint(wgs.Latitude + dLat, wgs.Longitude + dLon);
    }

    public static GeoPoint ToWgs84(GeoPoint gcj)
    {
        if (!InChina(gcj)) return gcj;
        var guess = gcj;
        for (var i = 0; i < 5; i++)
        {
            var shifted = ToGcj02(guess);
            guess = new GeoPoint(guess.Latitude + gcj.Latitude - shifted.Latitude, guess.Longitude + gcj.Longitude - shifted.Longitude);
        }
        return guess;
    }

    private static double Waves(double x, double a, double b, bool longitude = false)
    {
        var common = (20.0 * Math.Sin(6.0 * x * Math.PI) + 20.0 * Math.Sin(2.0 * x * Math.PI)) * 2.0 / 3.0;
        var first = (20.0 * Math.Sin(a * Math.PI) + 40.0 * Math.Sin(a / 3.0 * Math.PI)) * 2.0 / 3.0;
        var second = longitude
            ? (150.0 * Math.Sin(b / 12.0 * Math.PI) + 300.0 * Math.Sin(b / 30.0 * Math.PI)) * 2.0 / 3.0
            : (160.0 * Math.Sin(b / 12.0 * Math.PI) + 320.0 * Math.Sin(b * Math.PI / 30.0)) * 2.0 / 3.0;
        return common + first + second;
    }

    private static bool InChina(GeoPoint p) => p.Longitude is > 72.004 and < 137.8347 && p.Latitude is > 0.8293 and < 55.8271;
}
