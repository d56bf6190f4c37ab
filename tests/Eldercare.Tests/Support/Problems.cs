using System.Net.Http.Json;
using System.Text.Json;

namespace Eldercare.Tests.Support;

public static class HttpAssert
{
    /// <summary>Asserts an RFC 7807 answer with the given status and stable type code; returns the parsed body.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status, string type)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(type, body.GetProperty("type").GetString());
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        var title = body.GetProperty("title").GetString()!;
        Assert.Contains(title, c => c >= '\u4e00' && c <= '\u9fff'); // a Chinese title a screen or the IVR can use as it is
        Assert.False(string.IsNullOrEmpty(body.GetProperty("correlationId").GetString()));
        return body;
    }
}
