using System.Globalization;
using MetadataExtractor;
using MetadataExtractor.Formats.Exif;
using SkiaSharp;

namespace Eldercare.Api.Features.Visits;

/// <summary>What a visit photo is: its size, a perceptual hash of the picture, and the camera's own time and place.</summary>
public sealed record PhotoFacts(int Width, int Height, long PerceptualHash, DateTime? TakenAtUtc, double? Latitude, double? Longitude);

/// <summary>Decodes a photo (SkiaSharp) and reads its EXIF (MetadataExtractor). Null when the bytes are no picture.</summary>
public static class PhotoAnalysis
{
    public static PhotoFacts? Analyse(byte[] content)
    {
        using var bitmap = SKBitmap.Decode(content);
        if (bitmap is null || bitmap.Width < 16 || bitmap.Height < 16) return null;
        var (takenAt, latitude, longitude) = ReadExif(content);
        return new PhotoFacts(bitmap.Width, bitmap.Height, DifferenceHash(bitmap), takenAt, latitude, longitude);
    }

    /// <summary>
    /// The 64-bit difference hash (dHash): the picture shrunk to 9×8 grey pixels, one bit per pair of neighbours, set
    /// when the left is brighter. Re-encoding, resizing and mild edits change a few bits; another picture about half.
    /// </summary>
    public static long DifferenceHash(SKBitmap bitmap)
    {
        using var small = bitmap.Resize(new SKImageInfo(9, 8, SKColorType.Rgba8888), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        ulong hash = 0;
        var bit = 0;
        for (var y = 0; y < 8; y++)
            for (var x = 0; x < 8; x++, bit++)
                if (Grey(small.GetPixel(x, y)) > Grey(small.GetPixel(x + 1, y))) hash |= 1UL << bit;
        return unchecked((long)hash);
    }

    private static double Grey(SKColor c) => 0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue;

    /// <summary>The camera's time (EXIF carries no zone: a phone in Beijing writes Beijing time) and GPS position, where present.</summary>
    private static (DateTime? TakenAtUtc, double? Latitude, double? Longitude) ReadExif(byte[] content)
    {
        try
        {
            var directories = ImageMetadataReader.ReadMetadata(new MemoryStream(content));
            DateTime? taken = null;
            var exif = directories.OfType<ExifSubIfdDirectory>().FirstOrDefault();
            if (exif?.GetDescription(ExifDirectoryBase.TagDateTimeOriginal) is { } text
                && DateTime.TryParseExact(text, "yyyy:MM:dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
                taken = DateTime.SpecifyKind(local.AddHours(-8), DateTimeKind.Utc);
            var gps = directories.OfType<GpsDirectory>().FirstOrDefault()?.GetGeoLocation();
            return (taken, gps?.Latitude, gps?.Longitude);
        }
        catch (ImageProcessingException)
        {
            return (null, null, null); // a picture without readable metadata is still a picture
        }
    }

    /// <summary>The photo as shown outside the station (to family): re-encoded from its pixels, so no EXIF (and no GPS) goes with it.</summary>
    public static byte[] WithoutMetadata(byte[] content)
    {
        using var bitmap = SKBitmap.Decode(content);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 85);
        return data.ToArray();
    }
}
