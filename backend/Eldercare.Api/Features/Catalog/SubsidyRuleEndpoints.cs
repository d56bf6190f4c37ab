using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Catalog;

/// <summary>A subsidy policy as officers write it (see <see cref="SubsidyRule"/>).</summary>
public sealed record SubsidyRuleRequest(
    [property: Required, StringLength(100, MinimumLength = 1)] string Name,
    ServiceLine? Line,
    int? CatalogItemId,
    ElderGroups EligibleGroups,
    [property: Range(0, 120)] int MinAge,
    [property: Range(0, 4)] int MinAbilityLevel,
    SubsidyKind Kind,
    [property: Range(1, 10_000_000)] long Amount,
    [property: Range(1, 10_000_000)] long? DailyCapFen,
    [property: Range(1, 100_000_000)] long? MonthlyCapFen,
    int Priority,
    bool IsActive = true);

/// <summary>A subsidy rule as the API shows it: the request's fields and the rule's id.</summary>
public sealed record SubsidyRuleResponse(int Id, string Name, ServiceLine? Line, int? CatalogItemId, ElderGroups EligibleGroups, int MinAge,
    int MinAbilityLevel, SubsidyKind Kind, long Amount, long? DailyCapFen, long? MonthlyCapFen, int Priority, bool IsActive)
{
    public static SubsidyRuleResponse From(SubsidyRule rule) => SubsidyRuleMapping.ToResponse(rule);
}

/// <summary>
/// A rule's fields, field by field, between the entity, the officer's request and the answer: generated at compile
/// time (Mapperly), so a field added to one and not the others is a build error, not a value silently left out.
/// </summary>
[Riok.Mapperly.Abstractions.Mapper(RequiredMappingStrategy = Riok.Mapperly.Abstractions.RequiredMappingStrategy.Both)]
internal static partial class SubsidyRuleMapping
{
    public static partial SubsidyRuleResponse ToResponse(SubsidyRule rule);

    [Riok.Mapperly.Abstractions.MapperIgnoreTarget(nameof(SubsidyRule.Id))]
    public static partial void ApplyTo(SubsidyRuleRequest request, SubsidyRule rule);
}

public static class SubsidyRuleEndpoints
{
    public static readonly Problem BadPercentage = new("bad-percentage", 400, "补贴比例要在1到100之间");

    public static void MapSubsidyRuleEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/subsidy-rules").WithTags("Catalog").RequireAuthorization();

        group.MapGet("/", async (EldercareDb db, CancellationToken ct) =>
            Results.Ok((await db.SubsidyRules.AsNoTracking().OrderBy(r => r.Priority).ThenBy(r => r.Id).ToListAsync(ct)).Select(SubsidyRuleResponse.From)))
            .Produces<List<SubsidyRuleResponse>>().WithSummary("Subsidy rules in the order they are applied");

        group.MapPost("/", async (SubsidyRuleRequest body, EldercareDb db, CancellationToken ct) =>
        {
            if (await Check(body, db, ct) is { } bad) return bad;
            var rule = new SubsidyRule { Name = "" };
            Apply(rule, body);
            db.SubsidyRules.Add(rule);
            await db.SaveChangesAsync(ct);
            return Results.Created($"/api/subsidy-rules/{rule.Id}", SubsidyRuleResponse.From(rule));
        }).RequireAuthorization(AccessPolicy.OfficersOnly).Produces<SubsidyRuleResponse>(StatusCodes.Status201Created).WithSummary("Add a subsidy rule (officers); applies to bookings made from now on");

        group.MapPut("/{id:int}", async (int id, SubsidyRuleRequest body, EldercareDb db, CancellationToken ct) =>
        {
            var rule = await db.SubsidyRules.SingleOrDefaultAsync(r => r.Id == id, ct);
            if (rule is null) return Problems.NotFound.ToResult();
            if (await Check(body, db, ct) is { } bad) return bad;
            Apply(rule, body);
            await db.SaveChangesAsync(ct);
            return Results.Ok(SubsidyRuleResponse.From(rule));
        }).RequireAuthorization(AccessPolicy.OfficersOnly).Produces<SubsidyRuleResponse>().WithSummary("Change a subsidy rule (officers); bookings already made keep what they were granted");
    }

    private static async Task<IResult?> Check(SubsidyRuleRequest body, EldercareDb db, CancellationToken ct)
    {
        if (body.Kind == SubsidyKind.Percentage && body.Amount > 100) return BadPercentage.ToResult();
        if (body.CatalogItemId is { } item && !await db.CatalogItems.AnyAsync(i => i.Id == item, ct))
            return Eldercare.Api.Features.Bookings.BookingProblems.ServiceNotFound.ToResult();
        return null;
    }

    private static void Apply(SubsidyRule rule, SubsidyRuleRequest body)
    {
        SubsidyRuleMapping.ApplyTo(body, rule);
        rule.Name = body.Name.Trim();
    }
}
