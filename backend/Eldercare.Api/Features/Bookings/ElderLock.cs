using Eldercare.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Eldercare.Api.Features.Bookings;

/// <summary>
/// The elder's row lock: everything that changes an elder's bookings or their money (booking, cancelling, paying,
/// refunding, serving, moving) takes it first inside its transaction and re-reads what it checks under it, so two
/// different operations on one elder never interleave, on SQLite and PostgreSQL alike.
/// </summary>
public static class ElderLock
{
    /// <summary>Takes the elder's row lock for the rest of the caller's transaction (bumping Elder.BookingSequence); false when there is no such elder.</summary>
    public static async Task<bool> LockElderAsync(this EldercareDb db, int elderId, CancellationToken ct) =>
        await db.Elders.Where(e => e.Id == elderId).ExecuteUpdateAsync(s => s.SetProperty(e => e.BookingSequence, e => e.BookingSequence + 1), ct) == 1;

    /// <summary>Takes a caregiver's row lock for the rest of the caller's transaction: assignments and roster changes of one caregiver go one at a time.</summary>
    public static async Task<bool> LockCaregiverAsync(this EldercareDb db, int caregiverId, CancellationToken ct) =>
        await db.Caregivers.Where(c => c.Id == caregiverId).ExecuteUpdateAsync(s => s.SetProperty(c => c.IsActive, c => c.IsActive), ct) == 1;
}
