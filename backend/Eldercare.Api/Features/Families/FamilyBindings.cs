using System.ComponentModel.DataAnnotations;
using Eldercare.Api.Data;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Auth;
using Eldercare.Api.Features.Elders;
using Eldercare.Api.Features.Sessions;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Families;

/// <summary>What a family member knows of the elder: the name, the last four characters of the ID number and the elder's phone.</summary>
public sealed record BindingRequest(
    [property: Required, StringLength(50, MinimumLength = 1)] string ElderName,
    [property: Required, RegularExpression("^[0-9]{3}[0-9Xx]$")] string IdLast4,
    [property: Required, RegularExpression(ElderRegistration.PhonePattern)] string ElderPhone,
    [property: Required, StringLength(10, MinimumLength = 1)] string Relation);

public sealed record BindingResponse(
    int Id, int ElderId, string ElderName, int FamilyMemberId, string FamilyName, string FamilyPhone, string Relation, string Status,
    DateTime RequestedAt, DateTime? ConfirmedAt);

/// <summary>
/// Family binding: a family member asks to act for an elder; the elder confirms in the mini-program, or a clerk at
/// the window; either side (or the clerk) can end it. Only an Active binding lets the family member see, book,
/// cancel and pay for the elder (AccessPolicy). A request that matches no elder is told so without saying which
/// detail was wrong, and asking again for the same elder returns the same binding.
/// </summary>
public static class FamilyBindings
{
    public static readonly Problem PhoneRequired = new("phone-required", 409, "请先绑定您的手机号，老人和驿站才知道是谁在申请");
    public static readonly Problem BindingNotFound = new("binding-not-found", 404, "没有找到这条绑定");
    public static readonly Problem BindingEnded = new("binding-ended", 409, "这条绑定已经解除，需要家属重新申请");
    public static readonly Problem FamilyOnly = new("family-only", 403, "只有家属可以申请绑定");

    public static void MapFamilyBindings(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/family-bindings").WithTags("Families").RequireAuthorization();

        group.MapPost("/", async (BindingRequest body, Actor actor, EldercareDb db, ElderByDetails elders, TimeProvider clock, CancellationToken ct) =>
        {
            if (actor.Kind != PrincipalKind.Family) return FamilyOnly.ToResult();
            var member = await db.FamilyMembers.AsNoTracking().SingleOrDefaultAsync(f => f.Id == actor.Id, ct);
            if (member is null) return Problems.SessionEnded.ToResult();
            if (member.Phone.Length == 0) return PhoneRequired.ToResult();
            var found = await elders.FindAsync($"family:{member.Id}", body.ElderName, body.IdLast4, body.ElderPhone, ct);
            if (found.Refusal is { } notFound) return notFound.ToResult();
            int? elderId = found.Value!.Id;

            var now = clock.GetUtcNow().UtcDateTime;
            var relation = body.Relation.Trim();
            // Asked before: the same binding, reopened if it had ended. One row per member and elder (a unique index) settles
            // racing requests: the insert that finds the row there already does nothing.
            var reopened = await db.FamilyBindings.Where(b => b.FamilyMemberId == member.Id && b.ElderId == elderId && b.Status == BindingStatus.Revoked)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BindingStatus.Pending).SetProperty(b => b.Relation, relation)
                    .SetProperty(b => b.RequestedAt, now).SetProperty(b => b.ConfirmedAt, (DateTime?)null), ct);
            var created = reopened == 0 && await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO family_bindings (family_member_id, elder_id, relation, status, requested_at)
                VALUES ({member.Id}, {elderId.Value}, {relation}, {nameof(BindingStatus.Pending)}, {now})
                ON CONFLICT (family_member_id, elder_id) DO NOTHING
                """, ct) == 1;
            var binding = (await ListAsync(db, db.FamilyBindings.Where(b => b.FamilyMemberId == member.Id && b.ElderId == elderId), ct)).Single();
            return created || reopened > 0 ? Results.Created($"/api/family-bindings/{binding.Id}", binding) : Results.Ok(binding);
        }).Produces<BindingResponse>(StatusCodes.Status201Created).Produces<BindingResponse>().WithSummary("A family member asks to act for an elder (name, last four of the ID number, the elder's phone); the elder or a clerk confirms");

        group.MapGet("/", async (int? elderId, Actor actor, AccessPolicy access, EldercareDb db, CancellationToken ct) =>
        {
            var query = actor.Kind switch
            {
                PrincipalKind.Family => db.FamilyBindings.Where(b => b.FamilyMemberId == actor.Id),
                PrincipalKind.Elder => db.FamilyBindings.Where(b => b.ElderId == actor.Id),
                PrincipalKind.Staff when elderId is not null => db.FamilyBindings.Where(b => b.ElderId == elderId),
                _ => null,
            };
            if (query is null) return Problems.ValidationFailed.ToResult("elderId is required");
            if (actor.Kind == PrincipalKind.Staff && await access.CheckElderAsync(actor, elderId!.Value, write: false, ct) is { } denied) return denied.ToResult();
            return Results.Ok(await ListAsync(db, query.Where(b => b.Status != BindingStatus.Revoked), ct));
        }).Produces<List<BindingResponse>>().WithSummary("Bindings: a family member's elders, the family of an elder, or (staff) of ?elderId=; ended ones are left out");

        group.MapPost("/{id:int}/confirm", async (int id, Actor actor, AccessPolicy access, EldercareDb db, TimeProvider clock, CancellationToken ct) =>
        {
            var binding = await db.FamilyBindings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, ct);
            if (binding is null) return BindingNotFound.ToResult();
            // The elder themself, or the elder's station at the window; never the family member asking, nor anyone on the phone.
            if (await access.CheckConfirmsBindingAsync(actor, binding.ElderId, ct) is { } denied)
                return denied == AccessPolicy.NotYourself ? denied.ToResult("要由老人本人或驿站确认") : denied.ToResult();
            if (binding.Status == BindingStatus.Revoked) return BindingEnded.ToResult();
            await db.FamilyBindings.Where(b => b.Id == id && b.Status == BindingStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BindingStatus.Active).SetProperty(b => b.ConfirmedAt, clock.GetUtcNow().UtcDateTime), ct);
            return Results.Ok((await ListAsync(db, db.FamilyBindings.Where(b => b.Id == id), ct)).Single());
        }).Produces<BindingResponse>().WithSummary("The elder (in the mini-program) or a clerk (at the window) confirms a family member's request");

        group.MapDelete("/{id:int}", async (int id, Actor actor, AccessPolicy access, EldercareDb db, CancellationToken ct) =>
        {
            var binding = await db.FamilyBindings.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, ct);
            if (binding is null) return BindingNotFound.ToResult();
            var mayEnd = actor.Kind switch
            {
                PrincipalKind.Family => actor.Id == binding.FamilyMemberId,
                PrincipalKind.Elder => actor.Id == binding.ElderId,
                PrincipalKind.Staff => await access.CheckElderAsync(actor, binding.ElderId, write: true, ct) is null,
                _ => false,
            };
            if (!mayEnd) return BindingNotFound.ToResult(); // someone else's binding: not even its existence is told
            await db.FamilyBindings.Where(b => b.Id == id).ExecuteUpdateAsync(s => s.SetProperty(b => b.Status, BindingStatus.Revoked), ct);
            return Results.NoContent();
        }).Produces(StatusCodes.Status204NoContent).WithSummary("End a binding: the family member, the elder or the elder's station; from then on the family member gets 403 for that elder");
    }

    private static async Task<List<BindingResponse>> ListAsync(EldercareDb db, IQueryable<FamilyBinding> bindings, CancellationToken ct)
    {
        var rows = await (from b in bindings
                          join e in db.Elders on b.ElderId equals e.Id
                          join f in db.FamilyMembers on b.FamilyMemberId equals f.Id
                          orderby b.Id
                          select new { b, ElderName = e.Name, FamilyName = f.Name, f.Phone }).ToListAsync(ct);
        return rows.Select(x => new BindingResponse(x.b.Id, x.b.ElderId, x.ElderName, x.b.FamilyMemberId, x.FamilyName,
            ElderEndpoints.MaskPhone(x.Phone), x.b.Relation, x.b.Status.ToString(), x.b.RequestedAt, x.b.ConfirmedAt)).ToList();
    }
}
