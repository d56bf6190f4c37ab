using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Bookings;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Catalog;

public sealed record CatalogItemResponse(
    int Id, string Code, string Line, string Name, string Detail, IReadOnlyList<string> Modes, string Provider, int DurationMinutes,
    bool IsBasic, int Version, bool? Eligible, string? IneligibleReason, CatalogPrice Price);

public sealed record CatalogPrice(long ListFen, long SubsidyFen, long PayableFen, IReadOnlyList<SubsidyGrant> Subsidies);

/// <summary>The terms an officer sets. Saving them makes a new version; bookings keep the version they were made under.</summary>
public sealed record CatalogItemRequest(
    [property: Required, StringLength(40, MinimumLength = 2), RegularExpression("^[A-Z0-9-]+$")] string Code,
    ServiceLine Line,
    [property: Required, StringLength(100, MinimumLength = 1)] string Name,
    [property: Required(AllowEmptyStrings = true), StringLength(1000)] string Detail,
    ServiceModes Modes,
    [property: Required, StringLength(100, MinimumLength = 1)] string Provider,
    [property: Range(1, 24 * 60)] int DurationMinutes,
    [property: Range(0, 10_000_000)] long ListPriceFen,
    bool IsBasic,
    ElderGroups EligibleGroups,
    [property: Range(0, 4)] int MinAbilityLevel,
    [property: Range(0, 4)] int MaxAbilityLevel,
    [property: Range(0, 120)] int MinAge,
    bool IsActive = true);

public sealed record CatalogVersionResponse(int Version, string Name, long ListPriceFen, int DurationMinutes, bool IsBasic, bool IsActive, DateTime ChangedAt, string ChangedBy);

public static class CatalogEndpoints
{
    public static readonly Problem CodeTaken = new("code-taken", 409, "这个服务编码已经有了");
    public static readonly Problem BadAbilityRange = new("bad-ability-range", 400, "能力等级范围不对：最低不能高于最高");

    public static void MapCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/catalog").WithTags("Catalog").RequireAuthorization();

        group.MapGet("/", async ([FromQuery] int? elderId, Actor actor, AccessPolicy access, EldercareDb db,
            SubsidyLedger subsidies, TimeProvider clock, CancellationToken ct) =>
        {
            var forElder = elderId ?? (actor.Kind == PrincipalKind.Elder ? actor.Id : null);
            Elder? elder = null;
            if (forElder is { } id)
            {
                if (await access.CheckElderAsync(actor, id, write: false, ct) is { } denied) return denied.ToResult();
                elder = await db.Elders.AsNoTracking().SingleAsync(e => e.Id == id, ct);
            }
            var today = clock.Today();
            var items = await db.CatalogItems.AsNoTracking().Where(i => i.IsActive).OrderBy(i => i.Line).ThenBy(i => i.Id).ToListAsync(ct);
            var quotes = elder is null ? null : await subsidies.QuoteEachAsync(elder, items, today, ct);
            var response = items.Select(item =>
            {
                if (elder is null) return Response(item);
                var why = item.IneligibilityReason(elder, today);
                return Response(item, why is null, why, quotes![item.Id]);
            }).ToList();
            return Results.Ok(response);
        }).Produces<List<CatalogItemResponse>>().WithSummary("Services, with eligibility and the price after subsidy for an elder");

        group.MapPost("/", async (CatalogItemRequest body, Actor actor, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            if (body.MinAbilityLevel > body.MaxAbilityLevel) return BadAbilityRange.ToResult();
            if (await db.CatalogItems.AnyAsync(i => i.Code == body.Code, ct)) return CodeTaken.ToResult();
            var now = clock.GetUtcNow().UtcDateTime;
            var item = new CatalogItem { Code = body.Code, Name = "", Detail = "", Provider = "", UpdatedAt = now };
            Apply(item, body);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.CatalogItems.Add(item);
            await db.SaveChangesAsync(ct);
            db.CatalogItemVersions.Add(item.Snapshot(now, $"Staff:{actor.Id}"));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Created($"/api/catalog/{item.Id}", Response(item));
        }).RequireAuthorization(AccessPolicy.OfficersOnly).Produces<CatalogItemResponse>(StatusCodes.Status201Created).WithSummary("Add a service (officers)");

        group.MapPut("/{id:int}", async (int id, CatalogItemRequest body, Actor actor, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            if (body.MinAbilityLevel > body.MaxAbilityLevel) return BadAbilityRange.ToResult();
            var item = await db.CatalogItems.SingleOrDefaultAsync(i => i.Id == id, ct);
            if (item is null) return BookingProblems.ServiceNotFound.ToResult();
            if (body.Code != item.Code && await db.CatalogItems.AnyAsync(i => i.Code == body.Code, ct)) return CodeTaken.ToResult();
            var now = clock.GetUtcNow().UtcDateTime;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // Versions only go up: a concurrent edit of the same item fails on the unique (item, version) index.
            Apply(item, body);
            item.Code = body.Code;
            item.Version++;
            item.UpdatedAt = now;
            db.CatalogItemVersions.Add(item.Snapshot(now, $"Staff:{actor.Id}"));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return Results.Ok(Response(item));
        }).RequireAuthorization(AccessPolicy.OfficersOnly).Produces<CatalogItemResponse>().WithSummary("Change a service's terms (officers); makes a new version");

        group.MapGet("/{id:int}/versions", async (int id, EldercareDb db, CancellationToken ct) =>
        {
            if (!await db.CatalogItems.AnyAsync(i => i.Id == id, ct)) return BookingProblems.ServiceNotFound.ToResult();
            var versions = await db.CatalogItemVersions.AsNoTracking().Where(v => v.CatalogItemId == id).OrderBy(v => v.Version)
                .Select(v => new CatalogVersionResponse(v.Version, v.Name, v.ListPriceFen, v.DurationMinutes, v.IsBasic, v.IsActive, v.ChangedAt, v.ChangedBy))
                .ToListAsync(ct);
            return Results.Ok(versions);
        }).Produces<List<CatalogVersionResponse>>().WithSummary("Every version of a service's terms");
    }

    private static void Apply(CatalogItem item, CatalogItemRequest body)
    {
        item.Line = body.Line;
        item.Name = body.Name.Trim();
        item.Detail = body.Detail.Trim();
        item.Modes = body.Modes;
        item.Provider = body.Provider.Trim();
        item.DurationMinutes = body.DurationMinutes;
        item.ListPriceFen = body.ListPriceFen;
        item.IsBasic = body.IsBasic;
        item.EligibleGroups = body.EligibleGroups;
        item.MinAbilityLevel = body.MinAbilityLevel;
        item.MaxAbilityLevel = body.MaxAbilityLevel;
        item.MinAge = body.MinAge;
        item.IsActive = body.IsActive;
    }

    /// <summary>An item as clients see it; with an elder, also whether they may have it and what they would pay.</summary>
    private static CatalogItemResponse Response(CatalogItem item, bool? eligible = null, string? why = null, List<SubsidyGrant>? grants = null)
    {
        var subsidy = grants?.Sum(g => g.AmountFen) ?? 0;
        return new(item.Id, item.Code, item.Line.ToString(), item.Name, item.Detail, Modes(item.Modes), item.Provider, item.DurationMinutes,
            item.IsBasic, item.Version, eligible, why, new CatalogPrice(item.ListPriceFen, subsidy, item.ListPriceFen - subsidy, grants ?? []));
    }

    public static IReadOnlyList<string> Modes(ServiceModes modes) =>
        Enum.GetValues<ServiceModes>().Where(m => m != ServiceModes.None && modes.HasFlag(m)).Select(m => m.ToString()).ToList();
}
