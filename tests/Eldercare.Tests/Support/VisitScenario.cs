using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Infrastructure.Time;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests.Support;

/// <summary>Home visits made through the API as a caregiver's phone makes them, on the real clock: for tests of what follows a visit.</summary>
public static class VisitScenario
{
    private static int _slots; // each visit its own slot (one slot per start time of a resource)

    /// <summary>A caregiver of station 1 with a staff account linked to them.</summary>
    public static async Task<(Caregiver Caregiver, StaffAccount Account)> CaregiverAsync(Scenario s, string name = "王芳", bool canBathe = false)
    {
        var caregiver = await s.WithDbAsync(async db =>
        {
            var c = new Caregiver { StationId = s.Station1.Id, Name = name, Phone = "13911110000", CanBathe = canBathe };
            db.Caregivers.Add(c);
            await db.SaveChangesAsync();
            return c;
        });
        var account = await s.AddStaffAccountAsync(StaffRole.Caregiver, s.Station1.Id);
        await s.WithDbAsync(db => db.StaffAccounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(x => x.SetProperty(a => a.CaregiverId, caregiver.Id)));
        return (caregiver, account);
    }

    /// <summary>A cleaning booked for today, assigned, clocked in and out at the elder's door: its booking id.</summary>
    public static async Task<long> FinishedVisitAsync(Scenario s, Elder elder, Caregiver caregiver, StaffAccount account)
    {
        var today = DateOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow));
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(0, Interlocked.Increment(ref _slots) % 60), new(23, 59), date: today, cutoffAt: DateTime.UtcNow.AddHours(1));
        var booked = await BookAsync(await s.StaffClientAsync(StaffRole.Clerk), elder.Id, slot.Id, mode: ServiceModes.AtHome);
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var bookingId = (await JsonAsync(booked)).GetProperty("id").GetInt64();
        var manager = await s.StaffClientAsync(StaffRole.StationManager);
        Assert.Equal(HttpStatusCode.OK, (await manager.PostAsJsonAsync($"/api/bookings/{bookingId}/assign", new { caregiverId = caregiver.Id })).StatusCode);
        var phone = await s.ClientForAsync(account);
        object Fix(long photo) => new { latitude = 39.98, longitude = 116.35, accuracyMeters = 20, photoId = photo, capturedAt = DateTime.UtcNow, sentAt = DateTime.UtcNow };
        var visit = await JsonAsync(await phone.PostAsJsonAsync("/api/visits/clock-in", new { bookingId, fix = Fix(await UploadAsync(phone, TestPhotos.Jpeg((int)bookingId * 2))) }));
        var done = await phone.PostAsJsonAsync($"/api/visits/{visit.GetProperty("id").GetInt64()}/clock-out", new { fix = Fix(await UploadAsync(phone, TestPhotos.Jpeg((int)bookingId * 2 + 1))) });
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        return bookingId;
    }

    public static async Task<long> UploadAsync(HttpClient phone, byte[] jpeg)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(jpeg);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "photo", "photo.jpg");
        var uploaded = await phone.PostAsync("/api/visits/photos", form);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        return (await JsonAsync(uploaded)).GetProperty("photoId").GetInt64();
    }
}
