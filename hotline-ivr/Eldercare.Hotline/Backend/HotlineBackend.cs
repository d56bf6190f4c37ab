using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Eldercare.Hotline.Backend;

/// <summary>A refusal or failure of the API, with the Chinese title to say to the caller as it is.</summary>
public sealed class BackendRefusal(string type, string title) : Exception(title)
{
    public string Type { get; } = type;
    public string Title { get; } = title;
}

public sealed record Caller(int? ElderId, string? Name, int Candidates);
public sealed record Price(long ListFen, long SubsidyFen, long PayableFen, long PaidFen);
public sealed record Service(int Id, string Line, string Name, bool? Eligible, string? IneligibleReason, Price Price);
public sealed record Slot(long SlotId, DateOnly Date, TimeOnly Start, TimeOnly End, string ResourceName, bool Bookable);
public sealed record Booking(long Id, string ServiceName, DateOnly Date, TimeOnly Start, string Status, Price Price);
public sealed record Emergency(long Id, string Station, string DutyPhone);

/// <summary>One line of the call log: who called or was called, the keys and steps, how it ended, how long it took.</summary>
public sealed record CallLogEntry(string CallId, string Direction, string? Number, int? ElderId, string Path, string Outcome, DateTime StartedAt, int DurationSeconds);

/// <summary>A call the hub wants made: the reminder's text to read, to the elder's phone.</summary>
public sealed record QueuedCall(long Id, int ElderId, string Kind, string Text, string? Phone);

/// <summary>
/// The Eldercare API as the hotline uses it, under the hotline's own service log-in. Every booking carries the
/// Idempotency-Key the call flow gives it (one per call step), so a repeated request never books twice.
/// </summary>
public sealed class HotlineBackend(HttpClient http, string serviceKey)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _login = new(1, 1);
    private volatile string? _token;

    public Task<Caller> IdentifyAsync(string? callerNumber, string? idLast4, CancellationToken ct) =>
        SendAsync<Caller>(HttpMethod.Post, "/api/hotline/identify", new { callerNumber, idLast4 }, null, ct);

    public Task<List<Service>> CatalogAsync(int elderId, CancellationToken ct) =>
        SendAsync<List<Service>>(HttpMethod.Get, $"/api/catalog?elderId={elderId}", null, null, ct);

    public Task<List<Slot>> AvailabilityAsync(int serviceId, int elderId, DateOnly from, DateOnly to, CancellationToken ct) =>
        SendAsync<List<Slot>>(HttpMethod.Get, $"/api/availability?serviceId={serviceId}&elderId={elderId}&from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}", null, null, ct);

    public Task<Booking> BookAsync(int elderId, long slotId, string idempotencyKey, CancellationToken ct) =>
        SendAsync<Booking>(HttpMethod.Post, "/api/bookings", new { elderId, slotId }, idempotencyKey, ct);

    public Task<List<Booking>> BookingsAsync(int elderId, DateOnly from, CancellationToken ct) =>
        SendAsync<List<Booking>>(HttpMethod.Get, $"/api/bookings?elderId={elderId}&from={from:yyyy-MM-dd}", null, null, ct);

    public Task<Emergency> ReportEmergencyAsync(int elderId, string callId, CancellationToken ct) =>
        SendAsync<Emergency>(HttpMethod.Post, "/api/hotline/emergencies", new { elderId, callId }, null, ct);

    /// <summary>Writes the call log's line for a finished call. A log that cannot be written never troubles the caller: it is only logged.</summary>
    public async Task RecordCallAsync(CallLogEntry entry, ILogger log)
    {
        try
        {
            await SendAsync<JsonElement>(HttpMethod.Post, "/api/hotline/calls", entry with
            {
                Path = entry.Path.Length > 1000 ? entry.Path[..1000] : entry.Path,
                Outcome = entry.Outcome.Length > 100 ? entry.Outcome[..100] : entry.Outcome,
            }, null, CancellationToken.None);
        }
        catch (Exception e) when (e is BackendRefusal or HttpRequestException or TaskCanceledException)
        {
            log.LogWarning("The log of call {CallId} could not be written: {Reason}", entry.CallId, e.Message);
        }
    }

    /// <summary>The calls waiting to be made, oldest first.</summary>
    public Task<List<QueuedCall>> CallQueueAsync(int limit, CancellationToken ct) =>
        SendAsync<List<QueuedCall>>(HttpMethod.Get, $"/api/deliveries?channel=PhoneCall&limit={limit}", null, null, ct);

    /// <summary>Whether a queued call reached the elder; the hub retries, escalates or falls back from there.</summary>
    public Task<JsonElement> ReportCallAsync(long deliveryId, bool delivered, string? note, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"/api/deliveries/{deliveryId}/outcome", new { delivered, note }, null, ct);

    public Task<Booking> CancelAsync(long bookingId, CancellationToken ct) =>
        SendAsync<Booking>(HttpMethod.Post, $"/api/bookings/{bookingId}/cancel", new { reason = "老人通过服务热线取消" }, null, ct);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, string? idempotencyKey, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var token = await TokenAsync(ct);
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (body is not null) request.Content = JsonContent.Create(body, options: Json);
            if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
            using var response = await http.SendAsync(request, ct);
            if (response.IsSuccessStatusCode)
                return response.Content.Headers.ContentLength == 0 ? default! : (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized && attempt == 1)
            {
                _token = null; // the session ended: log in again once
                continue;
            }
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
            throw new BackendRefusal(problem.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "", problem.TryGetProperty("title", out var title) ? title.GetString() ?? "" : "");
        }
    }

    private async Task<string> TokenAsync(CancellationToken ct)
    {
        if (_token is { } held) return held;
        await _login.WaitAsync(ct);
        try
        {
            if (_token is { } fresh) return fresh;
            using var response = await http.PostAsJsonAsync("/api/auth/service", new { service = "hotline", key = serviceKey }, ct);
            if (!response.IsSuccessStatusCode) throw new BackendRefusal("login", "热线暂时不能办理，请稍后再拨");
            var login = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
            return _token = login.GetProperty("token").GetString()!;
        }
        finally
        {
            _login.Release();
        }
    }
}
