using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Api.Features.Visits;
using Eldercare.Api.Infrastructure.Time;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

/// <summary>
/// Proof of service over HTTP: a caregiver's phone uploads photos and clocks in and out at an elder's door, and the
/// checks verify the visit or send it to the station's review queue with the reasons, on a clock the test sets.
/// </summary>
public sealed class VisitTests
{
    /// <summary>The elder's home (WGS-84, as files keep it), in Haidian.</summary>
    private static readonly GeoPoint Home = new(39.9800, 116.3500);

    private sealed class ClockedFactory(TestDatabase database, TestClock clock, string photos)
        : ApiFactory(database, new Dictionary<string, string?> { ["Visits:PhotoFolder"] = photos })
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(clock));
        }
    }

    private sealed class World(ClockedFactory api, Scenario s, TestClock clock, DateOnly day, Elder elder, Caregiver caregiver, StaffAccount account, string photos)
        : IDisposable
    {
        public Scenario S { get; } = s;
        public TestClock Clock { get; } = clock;
        public DateOnly Day { get; } = day;
        public Elder Elder { get; } = elder;
        public Caregiver Caregiver { get; } = caregiver;
        public StaffAccount Account { get; } = account;
        public ClockedFactory Api { get; } = api;

        /// <summary>Sets the clock to a Beijing time of the day (sessions live on the same clock, so clients are made after).</summary>
        public void At(int hour, int minute = 0) => Clock.Set(new DateTimeOffset(BusinessTime.ToUtc(Day, new TimeOnly(hour, minute)), TimeSpan.Zero));

        public DateTime Beijing(int hour, int minute = 0) => BusinessTime.ToUtc(Day, new TimeOnly(hour, minute));

        public Task<HttpClient> PhoneAsync() => S.ClientForAsync(Account);

        public void Dispose()
        {
            Api.Dispose();
            if (Directory.Exists(photos)) Directory.Delete(photos, recursive: true);
        }
    }

    private static async Task<World> WorldAsync(TestDatabase database, bool canBathe = false)
    {
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(3);
        var clock = new TestClock(new DateTimeOffset(BusinessTime.ToUtc(day, new TimeOnly(7, 0)), TimeSpan.Zero));
        var photos = Path.Combine(Path.GetTempPath(), "eldercare-photos-" + Guid.NewGuid().ToString("N"));
        var api = new ClockedFactory(database, clock, photos);
        var s = await CreateAsync(api);
        var elder = await s.AddElderAsync(ElderGroups.Disabled, ability: 2);
        await s.WithDbAsync(db => db.Elders.Where(e => e.Id == elder.Id).ExecuteUpdateAsync(x => x
            .SetProperty(e => e.Home.Latitude, Home.Latitude).SetProperty(e => e.Home.Longitude, Home.Longitude)));
        var caregiver = await s.WithDbAsync(async db =>
        {
            var c = new Caregiver { StationId = s.Station1.Id, Name = "王芳", Phone = "13911110000", CanBathe = canBathe };
            db.Caregivers.Add(c);
            await db.SaveChangesAsync();
            return c;
        });
        var account = await s.AddStaffAccountAsync(StaffRole.Caregiver, s.Station1.Id);
        await s.WithDbAsync(db => db.StaffAccounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(x => x.SetProperty(a => a.CaregiverId, caregiver.Id)));
        return new World(api, s, clock, day, elder, caregiver, account, photos);
    }

    /// <summary>A home visit booked 09:00-11:00 of the world's day and assigned to the caregiver: its booking id.</summary>
    private static async Task<long> BookedVisitAsync(World w, CatalogItem? item = null, int startHour = 9, int? caregiverId = null)
    {
        w.At(7);
        var slot = await w.S.AddSlotAsync(item ?? w.S.Cleaning, w.S.Pool1, new(startHour, 0), new(startHour + 2, 0), date: w.Day, cutoffAt: w.Beijing(8));
        var clerk = await w.S.StaffClientAsync(StaffRole.Clerk);
        var booked = await BookAsync(clerk, w.Elder.Id, slot.Id, mode: ServiceModes.AtHome);
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var id = (await JsonAsync(booked)).GetProperty("id").GetInt64();
        var manager = await w.S.StaffClientAsync(StaffRole.StationManager);
        Assert.Equal(HttpStatusCode.OK, (await manager.PostAsJsonAsync($"/api/bookings/{id}/assign", new { caregiverId = caregiverId ?? w.Caregiver.Id })).StatusCode);
        return id;
    }

    private static async Task<long> UploadAsync(HttpClient phone, byte[] jpeg)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(jpeg);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "photo", "photo.jpg");
        var uploaded = await phone.PostAsync("/api/visits/photos", form);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        return (await JsonAsync(uploaded)).GetProperty("photoId").GetInt64();
    }

    /// <summary>A fix at a point this many metres north of the home, as WeChat gives it (GCJ-02), captured and sent now unless told.</summary>
    private static object Fix(World w, double metresNorth = 10, double accuracy = 25, long? photoId = null, DateTime? captured = null, DateTime? sent = null)
    {
        var point = ChinaDatum.ToGcj02(new GeoPoint(Home.Latitude + metresNorth / 111_195.0, Home.Longitude));
        var now = w.Clock.GetUtcNow().UtcDateTime;
        return new { latitude = point.Latitude, longitude = point.Longitude, accuracyMeters = accuracy, photoId, capturedAt = captured ?? now, sentAt = sent ?? now };
    }

    private static List<string> Reasons(JsonElement visit) => visit.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()!).ToList();

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_visit_clocked_in_and_out_at_the_door_with_photos_is_verified_and_completes_its_booking(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var w = await WorldAsync(database);
        var booking = await BookedVisitAsync(w);

        w.At(8, 58);
        var phone = await w.PhoneAsync();
        var today = (await phone.GetFromJsonAsync<List<JsonElement>>("/api/visits/today"))!;
        var listed = Assert.Single(today);
        Assert.Equal((booking, w.Elder.Name, "138****" + w.Elder.Phone[^4..]), (listed.GetProperty("bookingId").GetInt64(), listed.GetProperty("elderName").GetString(), listed.GetProperty("maskedPhone").GetString()));
        Assert.Contains(listed.GetProperty("checklist").EnumerateArray(), i => i.GetProperty("code").GetString() == "kitchen");
        // The map point is GCJ-02, for wx.openLocation: a few hundred metres off the WGS-84 file in Beijing.
        var map = new GeoPoint(listed.GetProperty("latitude").GetDouble(), listed.GetProperty("longitude").GetDouble());
        Assert.InRange(map.MetresTo(Home), 100, 1000);
        Assert.InRange(ChinaDatum.ToWgs84(map).MetresTo(Home), 0, 1);

        var inPhoto = await UploadAsync(phone, TestPhotos.Jpeg(seed: 1));
        var clockedIn = await phone.PostAsJsonAsync("/api/visits/clock-in", new { bookingId = booking, fix = Fix(w, photoId: inPhoto) });
        Assert.Equal(HttpStatusCode.Created, clockedIn.StatusCode);
        var visit = await JsonAsync(clockedIn);
        Assert.Equal("InProgress", visit.GetProperty("status").GetString());
        Assert.Equal("InService", await w.S.WithDbAsync(db => db.Bookings.Where(b => b.Id == booking).Select(b => b.Status.ToString()).SingleAsync()));

        w.At(10, 45);
        phone = await w.PhoneAsync();
        var outPhoto = await UploadAsync(phone, TestPhotos.Jpeg(seed: 2));
        var clockedOut = await phone.PostAsJsonAsync($"/api/visits/{visit.GetProperty("id").GetInt64()}/clock-out",
            new { fix = Fix(w, metresNorth: 30, photoId: outPhoto), checklist = new[] { "kitchen", "floors" }, note = "老人精神好", newNeed = "想要助浴" });
        Assert.Equal(HttpStatusCode.OK, clockedOut.StatusCode);
        var done = await JsonAsync(clockedOut);
        Assert.Equal("Verified", done.GetProperty("status").GetString());
        Assert.Empty(Reasons(done));
        Assert.Equal(["厨房", "地面"], done.GetProperty("checklist").EnumerateArray().Select(i => i.GetProperty("words").GetString()).ToList());
        Assert.InRange(done.GetProperty("clockOut").GetProperty("metresFromHome").GetInt32(), 25, 35);
        Assert.Equal("Completed", await w.S.WithDbAsync(db => db.Bookings.Where(b => b.Id == booking).Select(b => b.Status.ToString()).SingleAsync()));

        var manager = await w.S.StaffClientAsync(StaffRole.StationManager);
        var figures = await JsonAsync(await manager.GetAsync($"/api/visits/figures?stationId={w.S.Station1.Id}&from={w.Day:yyyy-MM-dd}&to={w.Day:yyyy-MM-dd}"));
        Assert.Equal((1, 100.0, 0.0), (figures.GetProperty("visits").GetInt32(), figures.GetProperty("autoVerifiedRate").GetDouble(), figures.GetProperty("exceptionsPer100").GetDouble()));
    }

    [Fact]
    public async Task The_geofence_counts_the_fixs_accuracy_and_flags_vague_fixes_without_calling_them_far()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);

        async Task<List<string>> VisitAsync(int hour, double metres, double accuracy)
        {
            w.At(hour);
            var phone = await w.PhoneAsync();
            var photo = await UploadAsync(phone, TestPhotos.Jpeg(seed: 100 + hour));
            var visit = await JsonAsync(await phone.PostAsJsonAsync("/api/visits/clock-in", new { elderId = w.Elder.Id, line = "Cleaning", fix = Fix(w, metres, accuracy, photo) }));
            w.At(hour, 50);
            var outPhoto = await UploadAsync(phone, TestPhotos.Jpeg(seed: 200 + hour));
            var done = await JsonAsync(await phone.PostAsJsonAsync($"/api/visits/{visit.GetProperty("id").GetInt64()}/clock-out", new { fix = Fix(w, 10, 20, outPhoto) }));
            Assert.Equal("NeedsReview", done.GetProperty("status").GetString()); // unscheduled: always explained
            return Reasons(done);
        }

        Assert.Equal(["unscheduled"], await VisitAsync(8, metres: 320, accuracy: 30)); // 320 m ≤ 300 m + 30 m: at home
        Assert.Contains("outside-geofence", await VisitAsync(9, metres: 345, accuracy: 30));
        var vague = await VisitAsync(10, metres: 380, accuracy: 150);
        Assert.Contains("poor-accuracy", vague);
        Assert.DoesNotContain("outside-geofence", vague); // 380 m ≤ 300 m + 150 m
        var useless = await VisitAsync(11, metres: 5000, accuracy: 1500);
        Assert.Contains("no-location", useless);
        Assert.DoesNotContain("outside-geofence", useless);
    }

    [Fact]
    public async Task Short_visits_a_wrong_phone_clock_and_a_late_offline_upload_are_taken_and_sent_to_review()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var booking = await BookedVisitAsync(w);

        // The phone's clock is 10 minutes slow; the caregiver clocks in on time at 09:00.
        w.At(9);
        var phone = await w.PhoneAsync();
        var slow = w.Beijing(8, 50);
        var visit = await JsonAsync(await phone.PostAsJsonAsync("/api/visits/clock-in", new { bookingId = booking, fix = Fix(w, photoId: await UploadAsync(phone, TestPhotos.Jpeg(3)), captured: slow, sent: slow) }));
        Assert.Equal(w.Beijing(9), visit.GetProperty("clockIn").GetProperty("happenedAt").GetDateTime().ToUniversalTime()); // corrected by the clock error

        // Clocked out offline at 09:50 (by the server's time: 09:40 on the phone), sent from the phone only at 17:00.
        w.At(17, 10);
        phone = await w.PhoneAsync();
        var done = await JsonAsync(await phone.PostAsJsonAsync($"/api/visits/{visit.GetProperty("id").GetInt64()}/clock-out",
            new { fix = Fix(w, photoId: await UploadAsync(phone, TestPhotos.Jpeg(4)), captured: w.Beijing(9, 40), sent: w.Beijing(17)) }));
        Assert.Equal("NeedsReview", done.GetProperty("status").GetString());
        // 50 minutes of a booked 120 is under half; the clock is 600 s off; 7 h 20 min offline is over 6 h.
        Assert.Equal(["clock-skew", "late-upload", "too-short"], Reasons(done).Order().ToList());
        Assert.Equal(w.Beijing(9, 50), done.GetProperty("clockOut").GetProperty("happenedAt").GetDateTime().ToUniversalTime());
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_clock_in_sent_twice_at_once_records_one_visit(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var w = await WorldAsync(database);
        var booking = await BookedVisitAsync(w);
        w.At(9, 1);
        var phone = await w.PhoneAsync();
        var photo = await UploadAsync(phone, TestPhotos.Jpeg(5));
        var fix = Fix(w, photoId: photo);

        var answers = await AllAtOnceAsync(6, _ => phone.PostAsJsonAsync("/api/visits/clock-in", new { bookingId = booking, fix }));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.OK)); // the retries answer the same visit
        var ids = new HashSet<long>();
        foreach (var a in answers) ids.Add((await JsonAsync(a)).GetProperty("id").GetInt64());
        Assert.Single(ids);
        Assert.Equal(1, await w.S.WithDbAsync(db => db.Visits.CountAsync(v => v.BookingId == booking)));
        // Another clock-in for the same visit (a different capture) is refused, not a second visit.
        await HttpAssert.ProblemAsync(await phone.PostAsJsonAsync("/api/visits/clock-in", new { bookingId = booking, fix = Fix(w, photoId: photo, captured: w.Beijing(9, 2)) }), 409, "visit-already-started");
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_cancel_and_a_clock_in_meeting_on_one_booking_leave_either_a_cancelled_booking_without_a_visit_or_a_visit_in_service(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var w = await WorldAsync(database);
        for (var round = 0; round < 4; round++)
        {
            var booking = await BookedVisitAsync(w, startHour: 9 + 2 * round);
            w.At(8, 30);
            var phone = await w.PhoneAsync();
            var clerk = await w.S.StaffClientAsync(StaffRole.Clerk);
            var photo = await UploadAsync(phone, TestPhotos.Jpeg(50 + round));
            var answers = await AllAtOnceAsync(2, i => i == 0
                ? phone.PostAsJsonAsync("/api/visits/clock-in", new { bookingId = booking, fix = Fix(w, photoId: photo) })
                : clerk.PostAsJsonAsync($"/api/bookings/{booking}/cancel", new { reason = "老人住院" }));
            var status = await w.S.WithDbAsync(db => db.Bookings.Where(b => b.Id == booking).Select(b => b.Status).SingleAsync());
            var visits = await w.S.WithDbAsync(db => db.Visits.CountAsync(v => v.BookingId == booking));
            if (answers[0].StatusCode == HttpStatusCode.Created)
            {
                Assert.Equal((BookingStatus.InService, 1), (status, visits));
                Assert.NotEqual(HttpStatusCode.OK, answers[1].StatusCode);
            }
            else
            {
                await HttpAssert.ProblemAsync(answers[0], 409, "visit-not-startable");
                Assert.Equal((BookingStatus.Cancelled, 0), (status, visits));
            }
        }
    }

    [Fact]
    public async Task A_resized_reencoded_copy_of_an_earlier_photo_is_caught_a_different_photo_is_not_and_exif_that_contradicts_is_flagged()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);

        async Task<List<string>> VisitAsync(int hour, byte[] inPhoto, byte[] outPhoto)
        {
            w.At(hour);
            var phone = await w.PhoneAsync();
            var visit = await JsonAsync(await phone.PostAsJsonAsync("/api/visits/clock-in", new { elderId = w.Elder.Id, line = "Cleaning", fix = Fix(w, photoId: await UploadAsync(phone, inPhoto)) }));
            w.At(hour, 40);
            var done = await JsonAsync(await phone.PostAsJsonAsync($"/api/visits/{visit.GetProperty("id").GetInt64()}/clock-out", new { fix = Fix(w, photoId: await UploadAsync(phone, outPhoto)) }));
            return Reasons(done).Where(r => r != "unscheduled").ToList();
        }

        Assert.Empty(await VisitAsync(8, TestPhotos.Jpeg(10), TestPhotos.Jpeg(11)));
        // The first visit's door photo again, smaller and more compressed (other bytes, the same picture).
        Assert.Equal(["photo-reused"], await VisitAsync(9, TestPhotos.ResizedCopy(10, 320, 240, quality: 60), TestPhotos.Jpeg(12)));
        Assert.Empty(await VisitAsync(10, TestPhotos.Jpeg(13), TestPhotos.Jpeg(14)));
        // The very same file again (stored once, so the same photo), and one photo at both ends of a visit.
        Assert.Equal(["photo-reused"], await VisitAsync(14, TestPhotos.Jpeg(14), TestPhotos.Jpeg(21)));
        var once = TestPhotos.Jpeg(22);
        Assert.Equal(["photo-reused"], await VisitAsync(15, once, once));
        // The camera says it took the door photo yesterday, or in another district.
        var yesterday = BusinessTime.ToBusinessTime(w.Beijing(11)).AddDays(-1);
        Assert.Equal(["photo-contradicts"], await VisitAsync(11, TestPhotos.WithExif(TestPhotos.Jpeg(15), yesterday), TestPhotos.Jpeg(16)));
        var onTime = BusinessTime.ToBusinessTime(w.Beijing(12));
        Assert.Empty(await VisitAsync(12, TestPhotos.WithExif(TestPhotos.Jpeg(17), onTime, Home.Latitude + 0.0005, Home.Longitude), TestPhotos.Jpeg(18)));
        Assert.Equal(["photo-contradicts"], await VisitAsync(13, TestPhotos.WithExif(TestPhotos.Jpeg(19), BusinessTime.ToBusinessTime(w.Beijing(13)), 39.90, 116.40), TestPhotos.Jpeg(20)));
    }

    [Fact]
    public async Task Photos_are_read_by_the_station_the_caregiver_who_took_them_and_officers_family_get_them_without_gps_and_every_read_is_logged()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        w.At(9);
        var phone = await w.PhoneAsync();
        var original = TestPhotos.WithExif(TestPhotos.Jpeg(30), BusinessTime.ToBusinessTime(w.Beijing(9)), Home.Latitude, Home.Longitude);
        var photo = await UploadAsync(phone, original);
        Assert.Equal(HttpStatusCode.Created, (await phone.PostAsJsonAsync("/api/visits/clock-in", new { elderId = w.Elder.Id, line = "Cleaning", fix = Fix(w, photoId: photo) })).StatusCode);

        foreach (var reader in new[] { phone, await w.S.StaffClientAsync(StaffRole.StationManager), await w.S.StaffClientAsync(StaffRole.Officer) })
            Assert.Equal(original, await (await reader.GetAsync($"/api/visits/photos/{photo}")).Content.ReadAsByteArrayAsync());
        var family = await w.S.FamilyClientAsync(await w.S.AddFamilyAsync(w.Elder.Id));
        var shown = await (await family.GetAsync($"/api/visits/photos/{photo}")).Content.ReadAsByteArrayAsync();
        var facts = PhotoAnalysis.Analyse(shown)!;
        Assert.Equal((640, 480, (double?)null, (DateTime?)null), (facts.Width, facts.Height, facts.Latitude, facts.TakenAtUtc));
        Assert.NotNull(PhotoAnalysis.Analyse(original)!.Latitude); // the original did carry the place

        foreach (var stranger in new[] { await w.S.StaffClientAsync(StaffRole.Clerk, w.S.Station2.Id), await w.S.StaffClientAsync(StaffRole.Caregiver),
                     await w.S.FamilyClientAsync(await w.S.AddFamilyAsync()), await w.S.HotlineClientAsync() })
            await HttpAssert.ProblemAsync(await stranger.GetAsync($"/api/visits/photos/{photo}"), 403, "forbidden");
        var reads = await w.S.WithDbAsync(db => db.VisitPhotoReads.Where(r => r.PhotoId == photo).Select(r => r.Reader).ToListAsync());
        Assert.Equal((4, 4), (reads.Count(r => !r.EndsWith(":refused")), reads.Count(r => r.EndsWith(":refused"))));

        // Not a picture, or too big: refused, nothing stored.
        using var form = new MultipartFormDataContent { { new ByteArrayContent("GIF89a not a photo"u8.ToArray()), "photo", "x.jpg" } };
        await HttpAssert.ProblemAsync(await phone.PostAsync("/api/visits/photos", form), 400, "not-a-photo");
        using var big = new MultipartFormDataContent { { new ByteArrayContent([0xFF, 0xD8, 0xFF, .. new byte[5_100_000]]), "photo", "big.jpg" } };
        await HttpAssert.ProblemAsync(await phone.PostAsync("/api/visits/photos", big), 413, "photo-too-large");
        Assert.Equal(1, await w.S.WithDbAsync(db => db.VisitPhotos.CountAsync()));
        await HttpAssert.ProblemAsync(await (await w.S.StaffClientAsync(StaffRole.Clerk)).PostAsync("/api/visits/photos", new MultipartFormDataContent { { new ByteArrayContent(original), "photo", "p.jpg" } }), 403, "not-a-caregiver");
    }

    [Fact]
    public async Task The_manager_settles_each_exception_with_a_reason_and_a_resolution_and_a_rejected_visit_gives_its_subsidy_back()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database, canBathe: false);
        await w.S.AddRuleAsync(new SubsidyRule { Name = "助浴补贴", Line = ServiceLine.Bathing, EligibleGroups = ElderGroups.Disabled, Kind = SubsidyKind.FixedAmount, Amount = 5000, Priority = 1 });
        // The bath was given to a certified colleague; 王芳, who is not certified, goes instead.
        var certified = await w.S.WithDbAsync(async db =>
        {
            var c = new Caregiver { StationId = w.S.Station1.Id, Name = "李强", Phone = "13911112222", CanBathe = true };
            db.Caregivers.Add(c);
            await db.SaveChangesAsync();
            return c.Id;
        });
        var bath = await BookedVisitAsync(w, w.S.Bath, caregiverId: certified);
        Assert.Equal(5000, await w.S.WithDbAsync(db => db.Bookings.Where(b => b.Id == bath).Select(b => b.SubsidyFen).SingleAsync()));
        w.At(9);
        var phone = await w.PhoneAsync();
        var visit = await JsonAsync(await phone.PostAsJsonAsync("/api/visits/clock-in", new { bookingId = bath, fix = Fix(w, photoId: await UploadAsync(phone, TestPhotos.Jpeg(40))) }));
        var id = visit.GetProperty("id").GetInt64();
        w.At(9, 3); // three minutes
        phone = await w.PhoneAsync();
        var done = await JsonAsync(await phone.PostAsJsonAsync($"/api/visits/{id}/clock-out", new { fix = Fix(w, photoId: await UploadAsync(phone, TestPhotos.Jpeg(41))), checklist = new[] { "safety-check" } }));
        Assert.Equal(["substitute", "too-short", "unqualified"], Reasons(done).Order().ToList());

        var manager = await w.S.StaffClientAsync(StaffRole.StationManager);
        var queue = (await manager.GetFromJsonAsync<List<JsonElement>>($"/api/visits/review?stationId={w.S.Station1.Id}"))!;
        Assert.Equal(id, Assert.Single(queue).GetProperty("id").GetInt64());
        await HttpAssert.ProblemAsync(await (await w.S.StaffClientAsync(StaffRole.StationManager, w.S.Station2.Id)).GetAsync($"/api/visits/review?stationId={w.S.Station1.Id}"), 403, "forbidden");
        await HttpAssert.ProblemAsync(await manager.PostAsJsonAsync($"/api/visits/{id}/resolve", new { reason = "whatever", resolution = "rejected" }), 400, "resolution-code-unknown");
        await HttpAssert.ProblemAsync(await (await w.S.StaffClientAsync(StaffRole.Clerk)).PostAsJsonAsync($"/api/visits/{id}/resolve", new { reason = "not-delivered", resolution = "rejected" }), 403, "forbidden");

        var rejected = await manager.PostAsJsonAsync($"/api/visits/{id}/resolve", new { reason = "not-delivered", resolution = "rejected", note = "电话核实老人说没有洗" });
        Assert.Equal("Rejected", (await JsonAsync(rejected)).GetProperty("status").GetString());
        Assert.Equal(0, await w.S.WithDbAsync(db => db.SubsidyLedger.Where(l => l.BookingId == bath).SumAsync(l => l.AmountFen))); // granted, then given back
        Assert.Contains("核查驳回", await w.S.WithDbAsync(db => db.BookingEvents.Where(e => e.BookingId == bath).OrderByDescending(e => e.Id).Select(e => e.Note).FirstAsync()));
        await HttpAssert.ProblemAsync(await manager.PostAsJsonAsync($"/api/visits/{id}/resolve", new { reason = "location-drift", resolution = "phoned-elder" }), 409, "visit-not-in-review");
        Assert.Empty((await manager.GetFromJsonAsync<List<JsonElement>>($"/api/visits/review?stationId={w.S.Station1.Id}"))!);
        var figures = await JsonAsync(await manager.GetAsync($"/api/visits/figures?stationId={w.S.Station1.Id}&from={w.Day:yyyy-MM-dd}&to={w.Day:yyyy-MM-dd}"));
        Assert.Equal((1, 0.0, 100.0, 1), (figures.GetProperty("visits").GetInt32(), figures.GetProperty("autoVerifiedRate").GetDouble(),
            figures.GetProperty("exceptionsPer100").GetDouble(), figures.GetProperty("rejected").GetInt32()));
    }

    [Fact]
    public async Task A_visit_never_clocked_out_goes_to_review_once_well_past_its_end()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var booking = await BookedVisitAsync(w);
        w.At(9);
        var phone = await w.PhoneAsync();
        var visit = await JsonAsync(await phone.PostAsJsonAsync("/api/visits/clock-in", new { bookingId = booking, fix = Fix(w, photoId: await UploadAsync(phone, TestPhotos.Jpeg(60))) }));

        async Task<string> SweepAsync()
        {
            await using var scope = w.Api.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<VisitRecorder>().MarkMissingClockOutsAsync(CancellationToken.None);
            return await w.S.WithDbAsync(db => db.Visits.Where(v => v.Id == visit.GetProperty("id").GetInt64()).Select(v => v.Status.ToString()).SingleAsync());
        }

        w.At(14, 59); // booked until 11:00; due four hours after
        Assert.Equal("InProgress", await SweepAsync());
        w.At(15, 1);
        Assert.Equal("NeedsReview", await SweepAsync());
        var manager = await w.S.StaffClientAsync(StaffRole.StationManager);
        var queued = Assert.Single((await manager.GetFromJsonAsync<List<JsonElement>>($"/api/visits/review?stationId={w.S.Station1.Id}"))!);
        Assert.Equal(["missing-clock-out"], Reasons(queued));

        // The caregiver forgot; the manager phones the elder, records when it ended, and settles it.
        var id = visit.GetProperty("id").GetInt64();
        await HttpAssert.ProblemAsync(await manager.PostAsJsonAsync($"/api/visits/{id}/corrections", new { endedAt = w.Beijing(8, 30), why = "忘记签退" }), 400, "visit-times-invalid");
        var corrected = await JsonAsync(await manager.PostAsJsonAsync($"/api/visits/{id}/corrections", new { endedAt = w.Beijing(10, 55), why = "护理员忘记签退，电话向老人核实10:55离开" }));
        Assert.Equal((w.Beijing(10, 55), "NeedsReview"), (corrected.GetProperty("clockOut").GetProperty("happenedAt").GetDateTime().ToUniversalTime(), corrected.GetProperty("status").GetString()));
        Assert.Equal(BookingStatus.Completed, await w.S.WithDbAsync(db => db.Bookings.Where(b => b.Id == booking).Select(b => b.Status).SingleAsync()));
        var settled = await JsonAsync(await manager.PostAsJsonAsync($"/api/visits/{id}/resolve", new { reason = "forgot-clock-out", resolution = "phoned-elder" }));
        Assert.Equal("Verified", settled.GetProperty("status").GetString());
        Assert.Equal(2, (await JsonAsync(await manager.GetAsync($"/api/visits/{id}/revisions"))).GetProperty("revisions").GetArrayLength());
    }

    [Fact]
    public async Task The_family_or_the_window_confirm_a_visit_after_the_clock_out_and_not_done_sends_it_to_review_with_a_task_for_the_station()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var booking = await BookedVisitAsync(w);
        w.At(9);
        var phone = await w.PhoneAsync();
        var visit = await JsonAsync(await phone.PostAsJsonAsync("/api/visits/clock-in", new { bookingId = booking, fix = Fix(w, photoId: await UploadAsync(phone, TestPhotos.Jpeg(70))) }));
        var daughter = await w.S.FamilyClientAsync(await w.S.AddFamilyAsync(w.Elder.Id));
        await HttpAssert.ProblemAsync(await daughter.PostAsJsonAsync($"/api/bookings/{booking}/visit-confirmation", new { done = true }), 409, "visit-not-finished");
        w.At(10, 50);
        phone = await w.PhoneAsync();
        var done = await JsonAsync(await phone.PostAsJsonAsync($"/api/visits/{visit.GetProperty("id").GetInt64()}/clock-out", new { fix = Fix(w, photoId: await UploadAsync(phone, TestPhotos.Jpeg(71))) }));
        Assert.Equal("Verified", done.GetProperty("status").GetString());
        // The elder is asked at once (by WeChat or a call, as the dispatcher finds them), instead of the usual rating request.
        Assert.Equal([ReminderKind.BookingConfirmed, ReminderKind.VisitConfirmation],
            await w.S.WithDbAsync(db => db.Reminders.Where(r => r.BookingId == booking).OrderBy(r => r.Id).Select(r => r.Kind).ToListAsync()));

        // Not yet confirmed: the window and the person who answers the elder's call see it to ask about.
        var agent = await w.S.StaffClientAsync(StaffRole.HotlineAgent);
        Assert.Equal([booking], (await agent.GetFromJsonAsync<List<JsonElement>>($"/api/elders/{w.Elder.Id}/visits-to-confirm"))!.Select(v => v.GetProperty("bookingId").GetInt64()));
        await HttpAssert.ProblemAsync(await (await w.S.StaffClientAsync(StaffRole.Clerk, w.S.Station2.Id)).GetAsync($"/api/elders/{w.Elder.Id}/visits-to-confirm"), 403, "out-of-zone");
        daughter = await w.S.FamilyClientAsync(await w.S.AddFamilyAsync(w.Elder.Id));
        await HttpAssert.ProblemAsync(await daughter.GetAsync($"/api/elders/{w.Elder.Id}/visits-to-confirm"), 403, "forbidden");
        var seen = await JsonAsync(await daughter.GetAsync($"/api/bookings/{booking}/visit"));
        Assert.Equal(("王芳", true), (seen.GetProperty("caregiverName").GetString(), seen.GetProperty("canConfirm").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("done").ValueKind);
        var stranger = await w.S.FamilyClientAsync(await w.S.AddFamilyAsync());
        await HttpAssert.ProblemAsync(await stranger.PostAsJsonAsync($"/api/bookings/{booking}/visit-confirmation", new { done = false }), 403, "not-bound");
        await HttpAssert.ProblemAsync(await stranger.GetAsync($"/api/bookings/{booking}/visit"), 403, "not-bound");
        await HttpAssert.ProblemAsync(await (await w.S.StaffClientAsync(StaffRole.Officer)).PostAsJsonAsync($"/api/bookings/{booking}/visit-confirmation", new { done = false }), 403, "forbidden");
        await HttpAssert.ProblemAsync(await daughter.PostAsJsonAsync($"/api/bookings/{booking}/visit-confirmation", new { done = true, rating = 9 }), 400, "validation-failed");

        var disputed = await JsonAsync(await daughter.PostAsJsonAsync($"/api/bookings/{booking}/visit-confirmation", new { done = false }));
        Assert.Equal("NeedsReview", disputed.GetProperty("status").GetString());
        Assert.Equal(["elder-says-not-done"], Reasons(disputed));
        Assert.Equal(("MiniProgram", false), (disputed.GetProperty("confirmations")[0].GetProperty("channel").GetString(), disputed.GetProperty("confirmations")[0].GetProperty("done").GetBoolean()));
        var task = await w.S.WithDbAsync(db => db.Reminders.SingleAsync(r => r.BookingId == booking && r.Kind == ReminderKind.VisitDisputed));
        Assert.Contains("没有完成", task.Text);
        // Said again (a second tap, or the call as well): one task, still one reason.
        await daughter.PostAsJsonAsync($"/api/bookings/{booking}/visit-confirmation", new { done = false });
        Assert.Equal(1, await w.S.WithDbAsync(db => db.Reminders.CountAsync(r => r.BookingId == booking && r.Kind == ReminderKind.VisitDisputed)));

        // The elder comes to the window: it was done after all (the caregiver came back), and rates it.
        var clerk = await w.S.StaffClientAsync(StaffRole.Clerk);
        var atWindow = await JsonAsync(await clerk.PostAsJsonAsync($"/api/bookings/{booking}/visit-confirmation", new { done = true, rating = 5 }));
        Assert.Equal("Window", atWindow.GetProperty("confirmations")[2].GetProperty("channel").GetString());
        Assert.Equal((BookingStatus.Rated, 5), await w.S.WithDbAsync(db => db.Bookings.Where(b => b.Id == booking).Select(b => ValueTuple.Create(b.Status, b.RatingScore!.Value)).SingleAsync()));
        Assert.True((await JsonAsync(await daughter.GetAsync($"/api/bookings/{booking}/visit"))).GetProperty("done").GetBoolean());
        Assert.Empty((await agent.GetFromJsonAsync<List<JsonElement>>($"/api/elders/{w.Elder.Id}/visits-to-confirm"))!);
        // What the elder tells the person who answered their call is kept as said on the phone.
        var told = await JsonAsync(await agent.PostAsJsonAsync($"/api/bookings/{booking}/visit-confirmation", new { done = true }));
        Assert.Equal("Phone", told.GetProperty("confirmations")[3].GetProperty("channel").GetString());
    }

    [Fact]
    public async Task Patrols_are_scheduled_by_group_shared_among_the_caregivers_recorded_with_a_short_check_and_an_overdue_one_shows_on_the_station_day()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var (second, _) = await VisitScenario.CaregiverAsync(w.S, "李强");
        var highRisk = await w.S.AddElderAsync(ElderGroups.Aged80Plus | ElderGroups.LivingAlone, age: 85);
        var keyGroup = await w.S.AddElderAsync(ElderGroups.Demented);
        var nobody = await w.S.AddElderAsync();
        var askedFor = await w.S.AddElderAsync();
        var elsewhere = await w.S.AddElderAsync(ElderGroups.Demented, station: 2);
        var died = await w.S.AddElderAsync(ElderGroups.Demented, status: ElderStatus.Deceased);
        w.At(7);
        var clerk = await w.S.StaffClientAsync(StaffRole.Clerk);
        Assert.Equal(HttpStatusCode.OK, (await clerk.PutAsJsonAsync($"/api/elders/{askedFor.Id}/patrol-opt-in", new { optIn = true })).StatusCode); // 举手制
        await HttpAssert.ProblemAsync(await (await w.S.StaffClientAsync(StaffRole.Caregiver)).PutAsJsonAsync($"/api/elders/{askedFor.Id}/patrol-opt-in", new { optIn = true }), 403, "forbidden");

        async Task<int> ScheduleAsync()
        {
            await using var scope = w.Api.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<PatrolSchedule>().ScheduleAsync(CancellationToken.None);
        }
        // The world's elder (disabled) is a key group too.
        Assert.Equal(5, await ScheduleAsync());
        Assert.Equal(0, await ScheduleAsync()); // one open patrol per elder: running again adds none
        var patrols = await w.S.WithDbAsync(db => db.Patrols.AsNoTracking().ToDictionaryAsync(p => p.ElderId));
        Assert.Equal((PatrolTier.HighRisk, w.Day.AddDays(7)), (patrols[highRisk.Id].Tier, patrols[highRisk.Id].DueBy));
        Assert.Equal((PatrolTier.KeyGroup, w.Day.AddDays(30)), (patrols[keyGroup.Id].Tier, patrols[keyGroup.Id].DueBy));
        Assert.Equal((PatrolTier.OptedIn, w.Day.AddDays(90)), (patrols[askedFor.Id].Tier, patrols[askedFor.Id].DueBy));
        Assert.False(patrols.ContainsKey(nobody.Id) || patrols.ContainsKey(died.Id));
        Assert.Null(patrols[elsewhere.Id].CaregiverId); // station 2 has no caregiver yet
        var shares = patrols.Values.Where(p => p.StationId == w.S.Station1.Id).GroupBy(p => p.CaregiverId).Select(g => g.Count()).Order().ToList();
        Assert.Equal([2, 2], shares); // four patrols at station 1, two each
        Assert.Contains(second.Id, patrols.Values.Select(p => p.CaregiverId));

        // The high-risk elder's patrol shows (due within the week); the caregiver goes, and records a short check.
        var station = await w.S.StaffClientAsync(StaffRole.StationManager);
        var soon = (await station.GetFromJsonAsync<List<JsonElement>>($"/api/stations/{w.S.Station1.Id}/patrols"))!;
        Assert.Equal([highRisk.Id], soon.Select(p => p.GetProperty("elderId").GetInt32()));
        await HttpAssert.ProblemAsync(await (await w.S.StaffClientAsync(StaffRole.Clerk, w.S.Station2.Id)).GetAsync($"/api/stations/{w.S.Station1.Id}/patrols"), 403, "forbidden");
        w.At(15);
        var phone = await w.PhoneAsync();
        var patrolId = patrols[highRisk.Id].Id;
        var visit = await JsonAsync(await phone.PostAsJsonAsync("/api/visits/clock-in", new { patrolId, fix = Fix(w, photoId: await UploadAsync(phone, TestPhotos.Jpeg(80))) }));
        Assert.Equal(("Patrol", "巡视探访"), (visit.GetProperty("kind").GetString(), visit.GetProperty("serviceName").GetString()));
        var id = visit.GetProperty("id").GetInt64();
        var underway = Assert.Single((await station.GetFromJsonAsync<List<JsonElement>>($"/api/stations/{w.S.Station1.Id}/patrols"))!, p => p.GetProperty("id").GetInt64() == patrolId);
        Assert.Equal(id, underway.GetProperty("visitId").GetInt64()); // still on the list until clocked out, with its visit
        w.At(15, 25);
        phone = await w.PhoneAsync();
        var outPhoto = await UploadAsync(phone, TestPhotos.Jpeg(81));
        await HttpAssert.ProblemAsync(await phone.PostAsJsonAsync($"/api/visits/{id}/clock-out", new { fix = Fix(w, photoId: outPhoto) }), 400, "patrol-check-missing");
        var done = await JsonAsync(await phone.PostAsJsonAsync($"/api/visits/{id}/clock-out", new { fix = Fix(w, photoId: outPhoto), patrol = new { mood = "poor", homeSafe = false }, newNeed = "灶台老化，想申请适老化改造" }));
        Assert.Equal(("Verified", "不太好", false), (done.GetProperty("status").GetString(), done.GetProperty("patrolMood").GetString(), done.GetProperty("patrolHomeSafe").GetBoolean()));
        Assert.Empty((await station.GetFromJsonAsync<List<JsonElement>>($"/api/stations/{w.S.Station1.Id}/patrols"))!);

        // The next one is due a week after the one just done; the key group's, not visited in 30 days, is overdue on the station's day.
        Assert.Equal(1, await ScheduleAsync());
        Assert.Equal(w.Day.AddDays(7), await w.S.WithDbAsync(db => db.Patrols.Where(p => p.ElderId == highRisk.Id && p.VisitId == null).Select(p => p.DueBy).SingleAsync()));
        // Station 2 takes on a caregiver: the next morning its waiting patrol goes to them.
        var newcomer = await w.S.WithDbAsync(async db =>
        {
            var c = new Caregiver { StationId = w.S.Station2.Id, Name = "周敏", Phone = "13911113333" };
            db.Caregivers.Add(c);
            await db.SaveChangesAsync();
            return c.Id;
        });
        await ScheduleAsync();
        Assert.Equal(newcomer, await w.S.WithDbAsync(db => db.Patrols.Where(p => p.ElderId == elsewhere.Id).Select(p => p.CaregiverId).SingleAsync()));
        w.Clock.Set(w.Clock.GetUtcNow().AddDays(31));
        var day = await JsonAsync(await (await w.S.StaffClientAsync(StaffRole.StationManager)).GetAsync($"/api/stations/{w.S.Station1.Id}/today"));
        var late = day.GetProperty("patrols").EnumerateArray().Where(p => p.GetProperty("overdue").GetBoolean()).Select(p => p.GetProperty("elderId").GetInt32()).ToList();
        Assert.Contains(keyGroup.Id, late);
        Assert.Contains(highRisk.Id, late); // its next one too, due after a week
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task A_change_after_the_clock_out_is_a_revision_the_record_is_sealed_and_it_locks_after_95_days_until_an_officer_unlocks_it(string provider)
    {
        using var database = TestDatabase.New(provider);
        using var w = await WorldAsync(database);
        var booking = await BookedVisitAsync(w);
        w.At(9);
        var phone = await w.PhoneAsync();
        var id = (await JsonAsync(await phone.PostAsJsonAsync("/api/visits/clock-in", new { bookingId = booking, fix = Fix(w, photoId: await UploadAsync(phone, TestPhotos.Jpeg(90))) })))
            .GetProperty("id").GetInt64();
        w.At(10, 50);
        phone = await w.PhoneAsync();
        var done = await JsonAsync(await phone.PostAsJsonAsync($"/api/visits/{id}/clock-out", new { fix = Fix(w, photoId: await UploadAsync(phone, TestPhotos.Jpeg(91))), checklist = new[] { "kitchen" } }));
        Assert.Equal(("Verified", true, false), (done.GetProperty("status").GetString(), done.GetProperty("intact").GetBoolean(), done.GetProperty("locked").GetBoolean()));

        // The manager adds what the caregiver forgot: a revision keeps the record as it was, who changed it and why.
        var manager = await w.S.StaffClientAsync(StaffRole.StationManager);
        await HttpAssert.ProblemAsync(await (await w.S.StaffClientAsync(StaffRole.Clerk)).PostAsJsonAsync($"/api/visits/{id}/corrections", new { checklist = new[] { "kitchen", "floors" }, why = "补记" }), 403, "forbidden");
        await HttpAssert.ProblemAsync(await manager.PostAsJsonAsync($"/api/visits/{id}/corrections", new { checklist = new[] { "garden" }, why = "补记" }), 400, "checklist-item-unknown");
        var corrected = await JsonAsync(await manager.PostAsJsonAsync($"/api/visits/{id}/corrections", new { checklist = new[] { "kitchen", "floors" }, why = "护理员电话说也拖了地" }));
        Assert.Equal(2, corrected.GetProperty("checklist").GetArrayLength());
        Assert.True(corrected.GetProperty("intact").GetBoolean());
        var history = await JsonAsync(await manager.GetAsync($"/api/visits/{id}/revisions"));
        var first = Assert.Single(history.GetProperty("revisions").EnumerateArray());
        Assert.Equal((1, "护理员电话说也拖了地"), (first.GetProperty("number").GetInt32(), first.GetProperty("why").GetString()));
        Assert.Contains("\"kitchen\"", first.GetProperty("before").GetString()); // the original checklist, readable
        Assert.DoesNotContain("floors", first.GetProperty("before").GetString());
        Assert.Equal(done.GetProperty("id").GetInt64(), history.GetProperty("visitId").GetInt64());

        // A change made behind the hub's back shows: the record no longer matches its seal.
        await w.S.WithDbAsync(db => db.Visits.Where(v => v.Id == id).ExecuteUpdateAsync(x => x.SetProperty(v => v.ChecklistDone, "kitchen,floors,bathroom")));
        Assert.False((await JsonAsync(await manager.GetAsync($"/api/visits/{id}"))).GetProperty("intact").GetBoolean());
        Assert.False((await JsonAsync(await manager.GetAsync($"/api/visits/{id}/revisions"))).GetProperty("intact").GetBoolean());

        // 96 days on the record is locked: no correction, no "not done", until an officer unlocks it with a reason.
        w.Clock.Set(w.Clock.GetUtcNow().AddDays(96));
        manager = await w.S.StaffClientAsync(StaffRole.StationManager);
        await HttpAssert.ProblemAsync(await manager.PostAsJsonAsync($"/api/visits/{id}/corrections", new { note = "补充", why = "补记" }), 409, "visit-locked");
        var daughter = await w.S.FamilyClientAsync(await w.S.AddFamilyAsync(w.Elder.Id));
        await HttpAssert.ProblemAsync(await daughter.PostAsJsonAsync($"/api/bookings/{booking}/visit-confirmation", new { done = false }), 409, "visit-locked");
        await HttpAssert.ProblemAsync(await manager.PostAsJsonAsync($"/api/visits/{id}/unlock", new { reason = "审计要求更正" }), 403, "forbidden");
        var officer = await w.S.StaffClientAsync(StaffRole.Officer);
        var unlocked = await JsonAsync(await officer.PostAsJsonAsync($"/api/visits/{id}/unlock", new { reason = "区审计发现备注有误，允许更正" }));
        Assert.False(unlocked.GetProperty("locked").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await manager.PostAsJsonAsync($"/api/visits/{id}/corrections", new { note = "老人要求只打扫厨房", why = "按审计意见更正" })).StatusCode);
        var whys = (await JsonAsync(await officer.GetAsync($"/api/visits/{id}/revisions"))).GetProperty("revisions").EnumerateArray()
            .Select(r => (r.GetProperty("why").GetString(), r.GetProperty("changedBy").GetString()!.Split(':')[0])).ToList();
        Assert.Equal([("护理员电话说也拖了地", "Staff"), ("解锁：区审计发现备注有误，允许更正", "Staff"), ("按审计意见更正", "Staff")], whys);
        w.Clock.Set(w.Clock.GetUtcNow().AddDays(8)); // the unlock lasts a week
        await HttpAssert.ProblemAsync(await (await w.S.StaffClientAsync(StaffRole.StationManager)).PostAsJsonAsync($"/api/visits/{id}/corrections", new { note = "再改", why = "补记" }), 409, "visit-locked");
    }

    [Fact]
    public async Task A_delivered_meal_is_handed_over_against_the_elders_meal_code_or_a_photo_and_is_then_served()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var code = MealCode.New();
        await w.S.WithDbAsync(db => db.Elders.Where(e => e.Id == w.Elder.Id).ExecuteUpdateAsync(x => x.SetProperty(e => e.MealCode, code)));
        var neighbour = await w.S.AddElderAsync();
        await w.S.WithDbAsync(db => db.Elders.Where(e => e.Id == neighbour.Id).ExecuteUpdateAsync(x => x
            .SetProperty(e => e.Home.Latitude, Home.Latitude + 0.02).SetProperty(e => e.Home.Longitude, Home.Longitude)));
        w.At(7);
        var lunch = await w.S.AddSlotAsync(w.S.Lunch, w.S.Kitchen1, new(11, 0), new(13, 0), date: w.Day, cutoffAt: w.Beijing(9), period: MealPeriod.Lunch);
        var clerk = await w.S.StaffClientAsync(StaffRole.Clerk);
        long Booked(HttpResponseMessage r) => JsonAsync(r).Result.GetProperty("id").GetInt64();
        var mine = Booked(await BookAsync(clerk, w.Elder.Id, lunch.Id, mode: ServiceModes.Delivery));
        var theirs = Booked(await BookAsync(clerk, neighbour.Id, lunch.Id, mode: ServiceModes.Delivery));

        w.At(11, 20);
        var phone = await w.PhoneAsync();
        var stops = (await phone.GetFromJsonAsync<List<JsonElement>>("/api/visits/deliveries"))!;
        Assert.Equal([mine, theirs], stops.Select(x => x.GetProperty("bookingId").GetInt64()).Order());
        await HttpAssert.ProblemAsync(await phone.PostAsJsonAsync("/api/visits/meal-handover", new { bookingId = mine, fix = Fix(w) }), 400, "handover-proof-missing");
        await HttpAssert.ProblemAsync(await phone.PostAsJsonAsync("/api/visits/meal-handover", new { bookingId = mine, fix = Fix(w), mealCode = "123456789012" }), 400, "meal-code-wrong");
        var handed = await JsonAsync(await phone.PostAsJsonAsync("/api/visits/meal-handover", new { bookingId = mine, fix = Fix(w), mealCode = MealCode.Format(code) }));
        Assert.Equal(("Verified", "Booked"), (handed.GetProperty("status").GetString(), handed.GetProperty("kind").GetString()));
        Assert.Empty(Reasons(handed)); // no photo needed with the card, and no duration to check
        Assert.Equal(BookingStatus.Completed, await w.S.WithDbAsync(db => db.Bookings.Where(b => b.Id == mine).Select(b => b.Status).SingleAsync()));
        Assert.Equal([theirs], (await phone.GetFromJsonAsync<List<JsonElement>>("/api/visits/deliveries"))!.Select(x => x.GetProperty("bookingId").GetInt64()));
        await HttpAssert.ProblemAsync(await phone.PostAsJsonAsync("/api/visits/meal-handover", new { bookingId = mine, fix = Fix(w, captured: w.Beijing(11, 21)), mealCode = code }), 409, "visit-already-started");

        // The neighbour's lunch, photographed at the wrong door, two kilometres off: served, and reviewed.
        var photo = await UploadAsync(phone, TestPhotos.Jpeg(95));
        var elsewhere = await JsonAsync(await phone.PostAsJsonAsync("/api/visits/meal-handover", new { bookingId = theirs, fix = Fix(w, metresNorth: 10, photoId: photo) }));
        Assert.Equal("NeedsReview", elsewhere.GetProperty("status").GetString());
        Assert.Equal(["outside-geofence"], Reasons(elsewhere));
        await HttpAssert.ProblemAsync(await (await w.S.StaffClientAsync(StaffRole.Clerk)).PostAsJsonAsync("/api/visits/meal-handover", new { bookingId = theirs, fix = Fix(w), mealCode = code }), 403, "not-a-caregiver");
    }

    [Fact]
    public async Task A_caregiver_recorded_at_two_homes_at_once_has_both_visits_reviewed_as_overlapping()
    {
        using var database = TestDatabase.NewSqlite();
        using var w = await WorldAsync(database);
        var upstairs = await w.S.AddElderAsync();
        await w.S.WithDbAsync(db => db.Elders.Where(e => e.Id == upstairs.Id).ExecuteUpdateAsync(x => x
            .SetProperty(e => e.Home.Latitude, Home.Latitude).SetProperty(e => e.Home.Longitude, Home.Longitude)));
        async Task<long> InAsync(int elderId, int hour, int minute, int seed)
        {
            w.At(hour, minute);
            var phone = await w.PhoneAsync();
            return (await JsonAsync(await phone.PostAsJsonAsync("/api/visits/clock-in", new { elderId, line = "Cleaning", fix = Fix(w, photoId: await UploadAsync(phone, TestPhotos.Jpeg(seed))) })))
                .GetProperty("id").GetInt64();
        }
        async Task<List<string>> OutAsync(long id, int hour, int minute, int seed)
        {
            w.At(hour, minute);
            var phone = await w.PhoneAsync();
            return Reasons(await JsonAsync(await phone.PostAsJsonAsync($"/api/visits/{id}/clock-out", new { fix = Fix(w, photoId: await UploadAsync(phone, TestPhotos.Jpeg(seed))) })));
        }

        var first = await InAsync(w.Elder.Id, 9, 0, 110);
        var second = await InAsync(upstairs.Id, 9, 30, 111); // still at the first home by the record
        Assert.Contains("overlap", await OutAsync(first, 10, 0, 112));
        Assert.Contains("overlap", await OutAsync(second, 10, 30, 113));
        var third = await InAsync(upstairs.Id, 11, 0, 114); // one after the other: no overlap
        Assert.DoesNotContain("overlap", await OutAsync(third, 11, 40, 115));
    }

    [Fact]
    public async Task The_patrol_schedule_runs_as_a_job_of_the_hubs_scheduler()
    {
        using var database = TestDatabase.NewSqlite();
        using var api = new ApiFactory(database);
        var s = await CreateAsync(api);
        var alone = await s.AddElderAsync(ElderGroups.Aged80Plus | ElderGroups.LivingAlone, age: 88);
        api.CreateClient();
        var scheduler = api.Services.GetRequiredKeyedService<Quartz.IScheduler>(Eldercare.Api.Infrastructure.Scheduling.SchedulerSetup.Name);
        Assert.NotNull(await scheduler.GetJobDetail(PatrolScheduleJob.Key)); // on the persistent store, with its morning trigger
        Assert.IsAssignableFrom<Quartz.ICronTrigger>(await scheduler.GetTrigger(new Quartz.TriggerKey("patrol-schedule", "visits")));

        await scheduler.TriggerJob(PatrolScheduleJob.Key);

        for (var i = 0; i < 100 && !await s.WithDbAsync(db => db.Patrols.AnyAsync(p => p.ElderId == alone.Id)); i++) await Task.Delay(100);
        var patrol = await s.WithDbAsync(db => db.Patrols.AsNoTracking().SingleAsync(p => p.ElderId == alone.Id));
        Assert.Equal((PatrolTier.HighRisk, DateOnly.FromDateTime(BusinessTime.ToBusinessTime(DateTime.UtcNow)).AddDays(7)), (patrol.Tier, patrol.DueBy));
    }
}
