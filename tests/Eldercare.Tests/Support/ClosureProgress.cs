using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Eldercare.Tests.Support;

/// <summary>A closure's bookings are settled in the background: follow its progress as a manager's screen does.</summary>
public static class ClosureProgress
{
    public static async Task<JsonElement> WaitUntilSettledAsync(HttpClient staff, int closureId, int seconds = 60)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var progress = await staff.GetFromJsonAsync<JsonElement>($"/api/closures/{closureId}");
            if (progress.GetProperty("settled").GetBoolean()) return progress;
            if (clock.Elapsed > TimeSpan.FromSeconds(seconds)) throw new TimeoutException($"closure {closureId} not settled after {seconds} s: {progress}");
            await Task.Delay(200);
        }
    }
}
