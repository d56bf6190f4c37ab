using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.PersonalData;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Elders;

public sealed record EmergencyContactRequest(
    [property: Required, StringLength(50, MinimumLength = 1)] string Name,
    [property: Required, StringLength(20, MinimumLength = 1)] string Relation,
    [property: Required, RegularExpression(ElderRegistration.PhonePattern)] string Phone);

/// <summary>
/// A newly registered elder: the ID number shown masked, the station whose zone they live in, and whether that is
/// another station than the one registering them (a walk-in).
/// </summary>
public sealed record RegisteredElderResponse(int Id, string Name, string MaskedIdNumber, int Zone, bool WalkIn);

public sealed record RegisterElderRequest(
    [property: Required, StringLength(50, MinimumLength = 2)] string Name,
    [property: Required, StringLength(18, MinimumLength = 18)] string IdNumber,
    [property: Range(1, int.MaxValue)] int CommunityId,
    [property: Required, StringLength(200, MinimumLength = 2)] string Address,
    [property: Required, RegularExpression(ElderRegistration.PhonePattern)] string Phone,
    [property: RegularExpression(ElderRegistration.PhonePattern)] string? SecondPhone,
    ElderGroups Groups,
    [property: Range(0, 4)] int AbilityLevel,
    bool UsesWeChat,
    [property: MaxLength(3)] List<EmergencyContactRequest>? EmergencyContacts,
    [property: Range(-90, 90)] double? Latitude = null,
    [property: Range(-180, 180)] double? Longitude = null,
    bool NotADuplicate = false);

/// <summary>
/// Registers an elder at the window (一人一册). The ID number must pass its check character and gives birth date and
/// sex; the same ID number can be registered once (its keyed hash is unique); someone of the same name and phone is
/// shown to the clerk as a possible duplicate first. The registering station serves the elder even when they live in
/// another station's zone (a walk-in).
/// </summary>
public sealed class ElderRegistration(EldercareDb db, IdNumberProtector ids, TimeProvider clock, ILogger<ElderRegistration> log)
{
    /// <summary>A mobile number (11 digits from 13-19) or a Beijing landline (8 digits, optionally 010-).</summary>
    public const string PhonePattern = @"^(1[3-9]\d{9}|(010-?)?\d{8})$";
    public const int MinimumAge = 60;

    public static readonly Problem IdNumberInvalid = new("id-number-invalid", 400, "身份证号不对，请核对后重新输入（最后一位可能是X）");
    public static readonly Problem TooYoung = new("too-young", 400, "养老服务为60岁及以上老人建档");
    public static readonly Problem AlreadyRegistered = new("elder-already-registered", 409, "这位老人已经建过档了");
    public static readonly Problem PossibleDuplicate = new("possible-duplicate", 409, "已有同名同电话的老人，请先核对是不是同一个人");
    public static readonly Problem CommunityNotFound = new("community-not-found", 400, "没有这个社区，请从列表里选");

    public async Task<Outcome<RegisteredElderResponse>> RegisterAsync(Actor actor, RegisterElderRequest request, CancellationToken ct)
    {
        if (!AccessPolicy.AtTheWindow(actor) || actor.StationId is not { } station)
            return new Refusal(Problems.Forbidden, "建档由驿站窗口办理");
        if (!ChineseIdNumber.IsValid(request.IdNumber)) return IdNumberInvalid;
        var idNumber = ChineseIdNumber.Normalize(request.IdNumber);
        var today = clock.Today();
        if (ElderRules.AgeOn(ChineseIdNumber.BirthDate(idNumber), today) < MinimumAge) return TooYoung;
        var community = await db.Communities.AsNoTracking().SingleOrDefaultAsync(c => c.Id == request.CommunityId, ct);
        if (community is null) return CommunityNotFound;

        var hash = ids.LookupHash(idNumber);
        if (await db.Elders.Where(e => e.IdNumberHash == hash).Select(e => (int?)e.Id).SingleOrDefaultAsync(ct) is { } existing)
            return new Refusal(AlreadyRegistered, Extensions: new Dictionary<string, object?> { ["elderId"] = existing });
        var name = request.Name.Trim();
        if (!request.NotADuplicate)
        {
            var lookalikes = await db.Elders.Where(e => e.Name == name && (e.Phone == request.Phone || e.SecondPhone == request.Phone))
                .Select(e => e.Id).ToListAsync(ct);
            if (lookalikes.Count > 0)
                return new Refusal(PossibleDuplicate, "确认是不同的人后，勾选“不是同一人”再提交", new Dictionary<string, object?> { ["elderIds"] = lookalikes });
        }

        var elder = new Elder
        {
            Name = name, Gender = ChineseIdNumber.Gender(idNumber), BirthDate = ChineseIdNumber.BirthDate(idNumber),
            IdNumberCipher = ids.Protect(idNumber), IdNumberHash = hash, IdNumberTailHash = ids.TailHash(idNumber),
            CommunityId = community.Id, Groups = request.Groups, AbilityLevel = request.AbilityLevel,
            Phone = request.Phone, SecondPhone = string.IsNullOrEmpty(request.SecondPhone) ? null : request.SecondPhone,
            Address = request.Address.Trim(), UsesWeChat = request.UsesWeChat, Status = ElderStatus.Active,
            // Without a map service at the window, home is placed at the community's centre until it is surveyed.
            Home = request is { Latitude: { } lat, Longitude: { } lng } ? new GeoPoint(lat, lng) : community.Centre,
            RegisteredAt = clock.GetUtcNow().UtcDateTime, RegisteredAtStationId = station, RegisteredByStaffId = actor.Id,
            EmergencyContacts = (request.EmergencyContacts ?? []).Select(c => new EmergencyContact { Name = c.Name.Trim(), Relation = c.Relation.Trim(), Phone = c.Phone }).ToList(),
        };
        db.Elders.Add(elder);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two windows registered the same person at the same moment: the unique hash let one through.
            db.ChangeTracker.Clear();
            if (await db.Elders.Where(e => e.IdNumberHash == hash).Select(e => (int?)e.Id).SingleOrDefaultAsync(ct) is not { } winner) throw;
            return new Refusal(AlreadyRegistered, Extensions: new Dictionary<string, object?> { ["elderId"] = winner });
        }
        log.LogInformation("Elder {ElderId} registered at station {StationId} by staff {StaffId}", elder.Id, station, actor.Id);
        return new RegisteredElderResponse(elder.Id, elder.Name, ChineseIdNumber.Mask(idNumber[^4..]), community.StationId, WalkIn: community.StationId != station);
    }
}
