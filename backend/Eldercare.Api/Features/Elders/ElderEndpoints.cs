using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.PersonalData;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Elders;

/// <summary>One line of search results: enough to tell elders apart, with the ID number and phone masked.</summary>
public sealed record ElderSummary(int Id, string Name, Gender Gender, int Age, string MaskedIdNumber, string MaskedPhone,
    string Community, int StationId, ElderStatus Status, ElderGroups Groups);

public sealed record EmergencyContactResponse(string Name, string Relation, string Phone);

/// <summary>An elder's file as staff see it. The ID number stays masked; the phone is shown, since staff call elders.</summary>
public sealed record ElderFileResponse(int Id, string Name, Gender Gender, DateOnly BirthDate, int Age, string MaskedIdNumber,
    string Phone, string? SecondPhone, string Address, string Community, int StationId, ElderGroups Groups, int AbilityLevel,
    ElderStatus Status, bool UsesWeChat, TimeOnly? DailyCheckInAt, DateTime RegisteredAt, IReadOnlyList<EmergencyContactResponse> EmergencyContacts);

public sealed record CommunityResponse(int Id, string Name, int StationId, string StationName);

public sealed record ElderFileReadResponse(int StaffAccountId, string StaffName, DateTime ReadAt, bool Refused);

public static class ElderEndpoints
{
    public const int MaxResults = 20;
    public static readonly Problem QueryInvalid = new("search-query-invalid", 400, "请输入姓名、拼音首字母、手机号（或尾号）或身份证号");

    public static IServiceCollection AddElders(this IServiceCollection services) => services.AddScoped<ElderRegistration>().AddScoped<ElderByDetails>();

    public static void MapElderEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/elders").WithTags("Elders").RequireAuthorization();

        group.MapGet("/", async ([FromQuery] string? q, Actor actor, EldercareDb db, IdNumberProtector ids, TimeProvider clock, CancellationToken ct) =>
        {
            if (actor.Kind != PrincipalKind.Staff) return Problems.Forbidden.ToResult();
            var text = q?.Trim() ?? "";
            if (text.Length is 0 or > 30) return QueryInvalid.ToResult();

            var elders = db.Elders.AsNoTracking();
            // Station staff find the elders of their own zone; officers and hotline agents serve the whole district.
            if (!AccessPolicy.SeesWholeDistrict(actor))
                elders = elders.Where(e => e.RegisteredAtStationId == actor.StationId
                    || db.Communities.Any(c => c.Id == e.CommunityId && c.StationId == actor.StationId));
            elders = SearchKind(text) switch
            {
                Search.IdNumber => elders.Where(e => e.IdNumberHash == ids.LookupHash(text)),
                Search.PhoneEnd => elders.Where(e => e.Phone.EndsWith(text) || (e.SecondPhone != null && e.SecondPhone.EndsWith(text))),
                Search.Initials => elders.Where(e => e.NameInitials.StartsWith(text.ToUpperInvariant())),
                _ => elders.Where(e => e.Name.Contains(text)),
            };
            var today = clock.Today();
            var found = await (from e in elders
                               join c in db.Communities on e.CommunityId equals c.Id
                               orderby e.Name, e.Id
                               select new { Elder = e, Community = c.Name, c.StationId }).Take(MaxResults).ToListAsync(ct);
            return Results.Ok(found.Select(x => new ElderSummary(x.Elder.Id, x.Elder.Name, x.Elder.Gender, x.Elder.AgeOn(today), ids.Mask(x.Elder.IdNumberCipher),
                MaskPhone(x.Elder.Phone), x.Community, x.StationId, x.Elder.Status, x.Elder.Groups)));
        }).Produces<List<ElderSummary>>().WithSummary("Find elders by name, pinyin initials (WJG), phone or its last digits, or ID number (staff only; station staff see their zone and their walk-ins)");

        group.MapPost("/", async (RegisterElderRequest body, Actor actor, ElderRegistration registration, CancellationToken ct) =>
            (await registration.RegisterAsync(actor, body, ct)).ToHttp(elder => Results.Created($"/api/elders/{elder.Id}", elder)))
            .Produces<RegisteredElderResponse>(StatusCodes.Status201Created).WithSummary("Register an elder (一人一册) at the window: ID number checked, duplicates refused (clerks and station managers)");

        group.MapGet("/communities", async (EldercareDb db, CancellationToken ct) =>
            Results.Ok(await (from c in db.Communities.AsNoTracking()
                              join s in db.Stations on c.StationId equals s.Id
                              orderby s.Id, c.Name
                              select new CommunityResponse(c.Id, c.Name, s.Id, s.Name)).ToListAsync(ct)))
            .Produces<List<CommunityResponse>>().WithSummary("The communities of the street and the station whose zone each belongs to (for the registration form)");

        group.MapGet("/{id:int}", async (int id, Actor actor, AccessPolicy access, EldercareDb db, IdNumberProtector ids, TimeProvider clock, CancellationToken ct) =>
        {
            if (await access.CheckElderAsync(actor, id, write: false, ct) is { } denied)
            {
                // A refused look at another zone's elder is written down too, for the officers' log.
                if (actor.Kind == PrincipalKind.Staff && denied != AccessPolicy.ElderNotFound)
                {
                    db.ElderFileReads.Add(new ElderFileRead { ElderId = id, StaffAccountId = actor.Id, ReadAt = clock.GetUtcNow().UtcDateTime, Refused = true });
                    await db.SaveChangesAsync(ct);
                }
                return denied.ToResult();
            }
            var found = await (from e in db.Elders.AsNoTracking().Include(e => e.EmergencyContacts)
                               join c in db.Communities on e.CommunityId equals c.Id
                               where e.Id == id
                               select new { Elder = e, Community = c.Name, c.StationId }).SingleAsync(ct);
            var now = clock.GetUtcNow().UtcDateTime;
            if (actor.Kind == PrincipalKind.Staff)
            {
                // Who opened whose file, and when: written before the file is shown.
                db.ElderFileReads.Add(new ElderFileRead { ElderId = id, StaffAccountId = actor.Id, ReadAt = now });
                await db.SaveChangesAsync(ct);
            }
            var elder = found.Elder;
            return Results.Ok(new ElderFileResponse(elder.Id, elder.Name, elder.Gender, elder.BirthDate, elder.AgeOn(clock.Today()), ids.Mask(elder.IdNumberCipher),
                elder.Phone, elder.SecondPhone, elder.Address, found.Community, found.StationId, elder.Groups, elder.AbilityLevel, elder.Status,
                elder.UsesWeChat, elder.DailyCheckInAt, elder.RegisteredAt, elder.EmergencyContacts.OrderBy(c => c.Id).Select(c => new EmergencyContactResponse(c.Name, c.Relation, c.Phone)).ToList()));
        }).Produces<ElderFileResponse>().WithSummary("An elder's file (一人一册); every staff read is written to the audit log");

        group.MapGet("/{id:int}/file-reads", async (int id, EldercareDb db, CancellationToken ct) =>
        {
            if (!await db.Elders.AnyAsync(e => e.Id == id, ct)) return AccessPolicy.ElderNotFound.ToResult();
            var reads = await (from r in db.ElderFileReads.AsNoTracking()
                               join s in db.StaffAccounts on r.StaffAccountId equals s.Id
                               where r.ElderId == id
                               orderby r.ReadAt descending, r.Id descending
                               select new ElderFileReadResponse(s.Id, s.DisplayName, r.ReadAt, r.Refused)).Take(200).ToListAsync(ct);
            return Results.Ok(reads);
        }).RequireAuthorization(AccessPolicy.OfficersOnly).Produces<List<ElderFileReadResponse>>().WithSummary("Who opened an elder's file (or was refused), newest first (officers only)");
    }

    private enum Search { Name, Initials, PhoneEnd, IdNumber }

    private static Search SearchKind(string text) =>
        ChineseIdNumber.IsValid(text) ? Search.IdNumber
        : text.Length >= 4 && text.Length <= 11 && text.All(char.IsAsciiDigit) ? Search.PhoneEnd
        : text.All(char.IsAsciiLetter) ? Search.Initials
        : Search.Name;

    /// <summary>138****5678: enough to confirm with the elder, not enough to call.</summary>
    public static string MaskPhone(string phone) => phone.Length >= 7 ? phone[..3] + new string('*', phone.Length - 7) + phone[^4..] : new string('*', phone.Length);
}
