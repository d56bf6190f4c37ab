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
