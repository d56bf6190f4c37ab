using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace Eldercare.Tests.Support;

/// <summary>Real JPEG photos for visit tests: a scene drawn from a seed, re-encoded or resized copies, and copies carrying EXIF time and GPS.</summary>
public static class TestPhotos
{
    /// <summary>A picture of coloured shapes that differ from seed to seed, as two different rooms would.</summary>
    public static SKBitmap Scene(int seed, int width = 640, int height = 480)
    {
        var random = new Random(seed);
        var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        using var paint = new SKPaint { IsAntialias = true };
        for (var i = 0; i < 12; i++)
        {
            paint.Color = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            canvas.DrawRect(random.Next(width), random.Next(height), random.Next(40, width / 2), random.Next(40, height / 2), paint);
            canvas.DrawCircle(random.Next(width), random.Next(height), random.Next(20, 120), paint);
        }
        return bitmap;
    }

    public static byte[] Jpeg(SKBitmap bitmap, int quality = 90)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    public static byte[] Jpeg(int seed) { using var scene = Scene(seed); return Jpeg(scene); }

    /// <summary>The same scene at another size and quality: what a photo forwarded through a chat app looks like.</summary>
    public static byte[] ResizedCopy(int seed, int width, int height, int quality)
    {
        using var scene = Scene(seed);
        using var smaller = scene.Resize(new SKImageInfo(width, height), new SKSamplingOptions(SKFilterMode.Linear));
        return Jpeg(smaller, quality);
    }

    /// <summary>A JPEG with an EXIF block (APP1) saying when (Beijing time) and where (WGS-84) the camera took it.</summary>
    public static byte[] WithExif(byte[] jpeg, DateTime takenAtBeijing, double? latitude = null, double? longitude = null)
    {
        var tiff = ExifTiff(takenAtBeijing, latitude, longitude);
        var app1 = new List<byte> { 0xFF, 0xE1 };
        var length = (ushort)(2 + 6 + tiff.Length);
        app1.AddRange([(byte)(length >> 8), (byte)length]);
        app1.AddRange(Encoding.ASCII.GetBytes("Exif\0\0"));
        app1.AddRange(tiff);
        return [.. jpeg[..2], .. app1, .. jpeg[2..]]; // right after the start-of-image marker
    }

    /// <summary>A little-endian TIFF: IFD0 pointing to an Exif IFD (DateTimeOriginal) and, with a place, a GPS IFD.</summary>
    private static byte[] ExifTiff(DateTime taken, double? latitude, double? longitude)
    {
        var withGps = latitude is not null && longitude is not null;
        var buffer = new byte[512];
        void U16(int at, int v) => BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(at), (ushort)v);
        void U32(int at, long v) => BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(at), (uint)v);
        void Entry(int at, int tag, int type, int count, long value) { U16(at, tag); U16(at + 2, type); U32(at + 4, count); U32(at + 8, value); }
        "II"u8.CopyTo(buffer); U16(2, 42); U32(4, 8);
        // IFD0 at 8: one or two pointers.
        var ifd0Entries = withGps ? 2 : 1;
        U16(8, ifd0Entries);
        var exifIfd = 8 + 2 + 12 * ifd0Entries + 4;
        Entry(10, 0x8769, 4, 1, exifIfd);
        var gpsIfd = exifIfd + 2 + 12 + 4 + 20;
        if (withGps) Entry(22, 0x8825, 4, 1, gpsIfd);
        U32(8 + 2 + 12 * ifd0Entries, 0);
        // Exif IFD: DateTimeOriginal, its 20 characters right after the IFD.
        U16(exifIfd, 1);
        var dateAt = exifIfd + 2 + 12 + 4;
        Entry(exifIfd + 2, 0x9003, 2, 20, dateAt);
        U32(exifIfd + 14, 0);
        Encoding.ASCII.GetBytes(taken.ToString("yyyy:MM:dd HH:mm:ss") + "\0").CopyTo(buffer, dateAt);
        var end = dateAt + 20;
        if (withGps)
        {
            U16(gpsIfd, 4);
            var values = gpsIfd + 2 + 12 * 4 + 4;
            Entry(gpsIfd + 2, 0x0001, 2, 2, latitude >= 0 ? 'N' : 'S');
            Entry(gpsIfd + 14, 0x0002, 5, 3, values);
            Entry(gpsIfd + 26, 0x0003, 2, 2, longitude >= 0 ? 'E' : 'W');
            Entry(gpsIfd + 38, 0x0004, 5, 3, values + 24);
            U32(gpsIfd + 50, 0);
            WriteDegrees(buffer, values, Math.Abs(latitude!.Value));
            WriteDegrees(buffer, values + 24, Math.Abs(longitude!.Value));
            end = values + 48;
        }
        return buffer[..end];
    }

    /// <summary>Degrees, minutes and seconds as three TIFF rationals (seconds to a ten-thousandth).</summary>
    private static void WriteDegrees(byte[] buffer, int at, double degrees)
    {
        var d = (int)degrees;
        var m = (int)((degrees - d) * 60);
        var s = (long)Math.Round(((degrees - d) * 60 - m) * 60 * 10_000);
        foreach (var (n, den, i) in new[] { ((long)d, 1L, 0), (m, 1L, 1), (s, 10_000L, 2) })
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(at + 8 * i), (uint)n);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(at + 8 * i + 4), (uint)den);
        }
    }
}
