using System.Security.Cryptography;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Visits;

public sealed record PhotoUploadedResponse(long PhotoId, int Width, int Height, bool HasCameraTime, bool HasCameraPlace);

/// <summary>
/// Visit photos: taken in, checked to be a picture within the size limit, stored once by content, and read back only
/// by those who may see them (the elder's station and the caregiver's, the caregiver who took it, officers; bound
/// family without the camera's metadata), each read logged.
/// </summary>
public sealed class VisitPhotos(EldercareDb db, IPhotoStore store, AccessPolicy access, IOptions<VisitOptions> options, TimeProvider clock)
{
    private static readonly string[] Types = ["image/jpeg", "image/png"];

    public async Task<Outcome<VisitPhoto>> TakeInAsync(Actor actor, Caregiver caregiver, IFormFile file, CancellationToken ct)
    {
        if (file.Length > options.Value.MaxPhotoBytes) return new Refusal(VisitProblems.PhotoTooLarge, $"最大 {options.Value.MaxPhotoBytes / 1_000_000} MB");
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var content = buffer.ToArray();
        var type = SniffType(content);
        if (type is null || PhotoAnalysis.Analyse(content) is not { } facts) return VisitProblems.NotAPhoto;
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        if (await db.VisitPhotos.AsNoTracking().SingleOrDefaultAsync(p => p.Sha256 == sha, ct) is { } known) return known; // sent again: the same photo

        await store.SaveAsync(sha, content, ct);
        var photo = new VisitPhoto
        {
            Sha256 = sha, ContentType = type, Bytes = content.Length, Width = facts.Width, Height = facts.Height, PerceptualHash = facts.PerceptualHash,
            ExifTakenAt = facts.TakenAtUtc, ExifLatitude = facts.Latitude, ExifLongitude = facts.Longitude,
            StationId = caregiver.StationId, UploadedByStaffId = actor.Id, UploadedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.VisitPhotos.Add(photo);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return await db.VisitPhotos.AsNoTracking().SingleAsync(p => p.Sha256 == sha, ct); // the same photo sent twice at once
        }
        return photo;
    }

    /// <summary>The photo's bytes and type for this reader, or why not; the read (or refusal) is logged either way.</summary>
    public async Task<Outcome<(byte[] Content, string Type)>> ReadAsync(Actor actor, long photoId, CancellationToken ct)
    {
        var photo = await db.VisitPhotos.AsNoTracking().SingleOrDefaultAsync(p => p.Id == photoId, ct);
        if (photo is null) return Problems.NotFound;
        var elderId = await db.Visits.Where(v => v.ClockIn.PhotoId == photoId || v.ClockOut!.PhotoId == photoId).Select(v => (int?)v.ElderId).FirstOrDefaultAsync(ct);
        var allowed = actor switch
        {
            { Kind: PrincipalKind.Staff, Role: StaffRole.Officer } => true,
            { Kind: PrincipalKind.Staff } when actor.Id == photo.UploadedByStaffId => true,
            { Kind: PrincipalKind.Staff, Role: StaffRole.Clerk or StaffRole.StationManager } => actor.StationId == photo.StationId
                || (elderId is { } e && await access.CheckElderAsync(actor, e, write: false, ct) is null),
            { Kind: PrincipalKind.Family or PrincipalKind.Elder } => elderId is { } e && await access.CheckElderAsync(actor, e, write: false, ct) is null,
            _ => false,
        };
        db.VisitPhotoReads.Add(new VisitPhotoRead { PhotoId = photoId, Reader = $"{actor.Kind}:{actor.Id}{(allowed ? "" : ":refused")}", ReadAt = clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
        if (!allowed) return Problems.Forbidden;
        var content = await store.ReadAsync(photo.Sha256, ct);
        if (content is null) return Problems.NotFound;
        // Family and the elder see the picture, not where the camera was: re-encoded without its metadata.
        return actor.Kind == PrincipalKind.Staff ? (content, photo.ContentType) : (PhotoAnalysis.WithoutMetadata(content), "image/jpeg");
    }

    /// <summary>JPEG or PNG by their first bytes (the declared type is the client's word, the bytes are the photo's).</summary>
    private static string? SniffType(byte[] content) =>
        content is [0xFF, 0xD8, 0xFF, ..] ? Types[0] : content is [0x89, 0x50, 0x4E, 0x47, ..] ? Types[1] : null;
}
