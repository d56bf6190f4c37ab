using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Eldercare.Api.Features.Bookings;

/// <summary>
/// Bounds how many bookings one node works on at once; the rest wait their turn here, in memory. Every booking holds
/// its elder's lock, and the bookings of a busy lunch queue on that lunch's row, so a few at a time finish sooner than
/// all at once, and the rest of the API (availability, lists, the hotline's queue) keeps its share of the CPU.
/// </summary>
public sealed class BookingGate : IDisposable
{
    public const string MeterName = "Eldercare.Bookings";

    private readonly SemaphoreSlim _turns;
    private readonly UpDownCounter<int> _running;
    private readonly UpDownCounter<int> _waiting;

    public BookingGate(IOptions<BookingOptions> options, IMeterFactory meters)
    {
        _turns = new SemaphoreSlim(options.Value.MaxConcurrentBookings);
        var meter = meters.Create(MeterName);
        _running = meter.CreateUpDownCounter<int>("eldercare.bookings.running", description: "Bookings being worked on by this node");
        _waiting = meter.CreateUpDownCounter<int>("eldercare.bookings.waiting", description: "Bookings waiting for their turn on this node");
    }

    public async Task<T> RunAsync<T>(Func<Task<T>> booking, CancellationToken ct)
    {
        _waiting.Add(1);
        try
        {
            await _turns.WaitAsync(ct);
        }
        finally
        {
            _waiting.Add(-1);
        }
        _running.Add(1);
        try
        {
            return await booking();
        }
        finally
        {
            _running.Add(-1);
            _turns.Release();
        }
    }

    public void Dispose() => _turns.Dispose();
}
