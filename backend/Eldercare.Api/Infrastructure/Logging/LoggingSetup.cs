using System.Text.Encodings.Web;
using System.Text.Json;

namespace Eldercare.Api.Infrastructure.Logging;

public static class LoggingSetup
{
    /// <summary>One JSON object per line, UTC timestamps, scopes included (that is where the correlation id travels).</summary>
    public static ILoggingBuilder AddStructuredConsole(this ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.JsonWriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        });
        return logging;
    }
}
