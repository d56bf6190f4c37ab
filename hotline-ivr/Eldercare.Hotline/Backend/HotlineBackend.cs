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

/// <summary>
/// The API could not be reached or gave no readable answer (a timeout, a proxy's HTML error page, a dropped
/// connection): nothing the caller did wrong, so the call flows put the caller through to a person.
/// </summary>
public sealed class BackendUnavailable(string reason, Exception? inner = null) : Exception(reason, inner);

public sealed record Caller(int? ElderId, string? Name, int Candidates, string? DutyPhone = null, int? StationId = null, bool NumberOnFile = false);
public sealed record Price(long ListFen, long SubsidyFen, long PayableFen, long PaidFen);
public sealed record Service(int Id, string Line, string Name, IReadOnlyList<string> Modes, bool? Eligible, string? IneligibleReason, Price Price);
public sealed record Slot(long SlotId, DateOnly Date, TimeOnly Start, TimeOnly End, string ResourceName, int StationId, bool Bookable);
public sealed record Booking(long Id, string ServiceName, DateOnly Date, TimeOnly Start, string Status, Price Price, string? Mode = null);

/// <summary>The hub's record of an elder who asked for a person; CallBackAt is when the hotline rings them back (null: a person answered).</summary>
public sealed record HelpRequest(long Id, DateTime? CallBackAt);
public sealed record Emergency(long Id, string Station, string DutyPhone);

/// <summary>One line of the call log: who called or was called, the keys and steps, how it ended, how long it took.</summary>
public sealed record CallLogEntry(string CallId, string Direction, string? Number, int? ElderId, string Path, string Outcome, DateTime StartedAt, int DurationSeconds);

/// <summary>A call the hub wants made: the reminder's text to read, to the elder's phone.</summary>
public sealed record QueuedCall(long Id, int ElderId, string Kind, string Text, string? Phone, long? BookingId = null);

/// <summary>
/// The Eldercare API as the hotline uses it, under the hotline's own service log-in. Every booking carries the
/// Idempotency-Key the call flow gives it (one per call step), so a repeated request never books twice. The HTTP
/// client comes from <see cref="HotlineBackendSetup"/>: each answer is waited for Hotline:ApiTimeout (the caller is
/// listening to silence meanwhile), reads and keyed writes are tried once more, and while the API keeps failing the
/// circuit is open and requests fail at once; whatever still fails is a <see cref="BackendUnavailable"/>. Every
/// request carries the call's id as its correlation id (see <see cref="ForCall"/>), so the API's log lines of a call
/// can be found from the call log.
/// </summary>
public sealed class HotlineBackend(HttpClient http, string serviceKey, TimeSpan wholeAnswer)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly AsyncLocal<string?> CallId = new();
    private readonly SemaphoreSlim _login = new(1, 1);
    private volatile string? _token;

    /// <summary>The requests made from here on (in this call's flow) carry the call id as their correlation id, and the call's trace.</summary>
    public static IDisposable ForCall(string callId)
    {
        var before = CallId.Value;
        CallId.Value = callId;
        // The call is one trace: its requests carry it into the API (traceparent), where exporters are configured.
        var trace = Telephony.HotlineMetrics.Activities.StartActivity("hotline call", System.Diagnostics.ActivityKind.Server)?.SetTag("hotline.call_id", callId);
        return new Restore(() => { trace?.Dispose(); CallId.Value = before; });
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    /// <summary>A caller ID that is not a usable number ("anonymous", "unknown", a SIP user name) counts as withheld.</summary>
    public Task<Caller> IdentifyAsync(string? callerNumber, string? idLast4, CancellationToken ct) =>
        SendAsync<Caller>(HttpMethod.Post, "/api/hotline/identify", new { callerNumber = UsableNumber(callerNumber), idLast4 }, null, ct, retry: true);

    /// <summary>Asks the hub to know the elder by this number from now on (see the API's known numbers).</summary>
    public Task<JsonElement> RememberNumberAsync(int elderId, string number, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Post, "/api/hotline/known-numbers", new { elderId, number }, null, ct, retry: true);

    public static string? UsableNumber(string? number) =>
        number is { Length: >= 3 and <= 20 } && System.Text.RegularExpressions.Regex.IsMatch(number, @"^\+?[0-9\-]+$") ? number : null;

    public Task<List<Service>> CatalogAsync(int elderId, CancellationToken ct) =>
        SendAsync<List<Service>>(HttpMethod.Get, $"/api/catalog?elderId={elderId}", null, null, ct);

    public Task<List<Slot>> AvailabilityAsync(int serviceId, int elderId, DateOnly from, DateOnly to, CancellationToken ct) =>
        SendAsync<List<Slot>>(HttpMethod.Get, $"/api/availability?serviceId={serviceId}&elderId={elderId}&from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}", null, null, ct);

    public Task<Booking> BookAsync(int elderId, long slotId, string? mode, string idempotencyKey, CancellationToken ct) =>
        SendAsync<Booking>(HttpMethod.Post, "/api/bookings", new { elderId, slotId, mode }, idempotencyKey, ct);

    public Task<List<Booking>> BookingsAsync(int elderId, DateOnly from, CancellationToken ct) =>
        SendAsync<List<Booking>>(HttpMethod.Get, $"/api/bookings?elderId={elderId}&from={from:yyyy-MM-dd}", null, null, ct);

    /// <summary>Opens the emergency case; the hub keeps one case per call, so sending it again (after a lost answer) is harmless.</summary>
    public Task<Emergency> ReportEmergencyAsync(int elderId, string callId, CancellationToken ct) =>
        SendAsync<Emergency>(HttpMethod.Post, "/api/hotline/emergencies", new { elderId, callId }, null, ct, retry: true);

    /// <summary>Tells the hub an elder asked for a person (see the API's help requests); one per call, so it may be sent again.</summary>
    public Task<HelpRequest> RequestHelpAsync(int elderId, string callId, string source, bool personReached, CancellationToken ct) =>
        SendAsync<HelpRequest>(HttpMethod.Post, "/api/hotline/help-requests", new { elderId, callId, source, personReached }, null, ct, retry: true);

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
        catch (Exception e) when (e is BackendRefusal or BackendUnavailable)
        {
            log.LogWarning("The log of call {CallId} could not be written: {Reason}", entry.CallId, e.Message);
        }
    }

    /// <summary>The calls waiting to be made, oldest first.</summary>
    /// <summary>The elder's answer to the call about a home visit: done or not, and the rating they gave (a repeat adds nothing the station acts on twice).</summary>
    public Task<JsonElement> ConfirmVisitAsync(long bookingId, bool done, int? rating, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"/api/bookings/{bookingId}/visit-confirmation", new { done, rating }, null, ct, retry: true);

    public Task<List<QueuedCall>> CallQueueAsync(int limit, CancellationToken ct) =>
        SendAsync<List<QueuedCall>>(HttpMethod.Get, $"/api/deliveries?channel=PhoneCall&limit={limit}", null, null, ct, retry: true);

    /// <summary>Whether a queued call reached the elder; the hub retries, escalates or falls back from there.</summary>
    public Task<JsonElement> ReportCallAsync(long deliveryId, bool delivered, string? note, CancellationToken ct) =>
        SendAsync<JsonElement>(HttpMethod.Post, $"/api/deliveries/{deliveryId}/outcome", new { delivered, note }, null, ct);

    public Task<Booking> CancelAsync(long bookingId, CancellationToken ct) =>
        SendAsync<Booking>(HttpMethod.Post, $"/api/bookings/{bookingId}/cancel", new { reason = "老人通过服务热线取消" }, null, ct);

    /// <summary>
    /// Marks a request as safe to send twice (the hub keeps one record per call, or the request changes nothing): the
    /// resilience pipeline then tries it once more after a failure, as it does GETs and requests with an Idempotency-Key.
    /// </summary>
    internal static readonly HttpRequestOptionsKey<bool> MayRepeat = new("eldercare.may-repeat");

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, string? idempotencyKey, CancellationToken call, bool retry = false)
    {
        // The pipeline's timeouts end at the answer's headers; a body that stalls after them is bounded here.
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(call);
        wait.CancelAfter(wholeAnswer);
        var ct = wait.Token;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var token = await TokenAsync(ct);
                using var request = new HttpRequestMessage(method, path);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                Correlate(request);
                if (retry) request.Options.Set(MayRepeat, true);
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
                // A refusal is a ProblemDetails; anything else (a proxy's error page, a 5xx without one) means the API is not there.
                if ((int)response.StatusCode >= 500 || response.Content.Headers.ContentType?.MediaType is not ("application/problem+json" or "application/json"))
                    throw new BackendUnavailable($"the API answered {(int)response.StatusCode} ({response.Content.Headers.ContentType?.MediaType ?? "no body"})");
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
                throw new BackendRefusal(problem.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "", problem.TryGetProperty("title", out var title) ? title.GetString() ?? "" : "");
            }
        }
        catch (Exception e) when (Unavailable(e, call) is { } unavailable)
        {
            throw unavailable;
        }
    }

    /// <summary>What a failure to get an answer means for the call: the API is not there (never the caller's hang-up).</summary>
    private static BackendUnavailable? Unavailable(Exception e, CancellationToken ct) => e switch
    {
        Polly.Timeout.TimeoutRejectedException => new BackendUnavailable("no answer from the API in time", e),
        Polly.CircuitBreaker.BrokenCircuitException => new BackendUnavailable("the API keeps failing: not asked for now", e),
        OperationCanceledException when !ct.IsCancellationRequested => new BackendUnavailable("no answer from the API in time", e),
        HttpRequestException or JsonException or NotSupportedException => new BackendUnavailable(e.Message, e),
        _ => null,
    };

    private static void Correlate(HttpRequestMessage request)
    {
        if (CallId.Value is { } callId) request.Headers.TryAddWithoutValidation("X-Correlation-Id", callId);
    }

    private async Task<string> TokenAsync(CancellationToken ct)
    {
        if (_token is { } held) return held;
        await _login.WaitAsync(ct);
        try
        {
            if (_token is { } fresh) return fresh;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/service") { Content = JsonContent.Create(new { service = "hotline", key = serviceKey }, options: Json) };
            Correlate(request);
            request.Options.Set(MayRepeat, true); // a log-in changes nothing
            using var response = await http.SendAsync(request, ct);
            if ((int)response.StatusCode >= 500) throw new BackendUnavailable($"the API's log-in answered {(int)response.StatusCode}");
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
