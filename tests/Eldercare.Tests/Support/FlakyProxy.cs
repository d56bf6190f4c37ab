namespace Eldercare.Tests.Support;

/// <summary>A proxy in front of the real API that can be told to fail requests to some paths: with a 502 HTML page, or by never answering.</summary>
public sealed class FlakyProxy(HttpMessageHandler api) : DelegatingHandler(api)
{
    public volatile string? Failing; // a path prefix
    public volatile bool Stall;
    private int _failed;

    /// <summary>How many requests it has failed so far (each retry is one more).</summary>
    public int Failed => Volatile.Read(ref _failed);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        if (Failing is { } prefix && request.RequestUri!.AbsolutePath.StartsWith(prefix, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _failed);
            if (Stall) await Task.Delay(Timeout.Infinite, ct);
            return new HttpResponseMessage(System.Net.HttpStatusCode.BadGateway)
            {
                Content = new StringContent("<html><body><h1>502 Bad Gateway</h1></body></html>", System.Text.Encoding.UTF8, "text/html"),
            };
        }
        return await base.SendAsync(request, ct);
    }
}
