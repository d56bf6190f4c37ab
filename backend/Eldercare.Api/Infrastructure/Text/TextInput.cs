using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Eldercare.Api.Infrastructure.Errors;
using Microsoft.AspNetCore.Http.Json;

namespace Eldercare.Api.Infrastructure.Text;

/// <summary>
/// One rule for all text that comes in, applied in one place for every endpoint, so SQLite and PostgreSQL store the same
/// things (PostgreSQL cannot store NUL at all, and a NUL sent to it can upset the pooled connection for the next request):
/// no control characters other than tab and line breaks, no invisible bidirectional overrides (which make a name read
/// backwards on a screen), at most <see cref="MaxLength"/> characters, and normalised to NFC so the same words are the
/// same bytes. JSON bodies are checked as they are read (<see cref="Converter"/>), query strings before routing
/// (<see cref="Middleware"/>); a refusal is a 400 <c>text-not-allowed</c> naming the field.
/// </summary>
public static class TextInput
{
    public const int MaxLength = 4000;

    public static readonly Problem NotAllowed = new("text-not-allowed", 400, "填写的文字里有不能保存的字符，或者太长了");

    public static IServiceCollection AddTextInputRules(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new Converter()));
        // A body that cannot be read throws (instead of a bare 400), so the error handler can say which field was wrong.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static IApplicationBuilder UseTextInputRules(this IApplicationBuilder app) => app.UseMiddleware<Middleware>();

    /// <summary>Why a piece of text is refused, in Chinese; null when it is fine.</summary>
    public static string? Problem(string text)
    {
        if (text.Length > MaxLength) return $"太长了（最多{MaxLength}个字）";
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r')) return "含有控制字符";
            if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069') return "含有改变文字方向的隐藏字符";
        }
        return IsWellFormed(text) ? null : "含有无效的字符";
    }

    public static string Normalise(string text) => text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            if (char.IsSurrogate(text[i])) return false;
        }
        return true;
    }

    /// <summary>Thrown by <see cref="Converter"/>; the JSON reader adds the path of the field.</summary>
    public sealed class RefusedTextException(string reason) : JsonException(reason)
    {
        public string Reason { get; } = reason;
    }

    /// <summary>Reads every JSON string of a request through <see cref="Problem"/> and <see cref="Normalise"/>.</summary>
    public sealed class Converter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String) throw new JsonException("expected a string");
            var text = reader.GetString()!;
            if (Problem(text) is { } why) throw new RefusedTextException(why);
            return Normalise(text);
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    /// <summary>The same rule for query strings, before anything reads them.</summary>
    public sealed class Middleware(RequestDelegate next)
    {
        public Task InvokeAsync(HttpContext http)
        {
            foreach (var (name, values) in http.Request.Query)
                foreach (var value in values)
                    if (value is not null && Problem(value) is { } why)
                        return Results.Problem(detail: why, statusCode: 400, type: NotAllowed.Type, title: NotAllowed.Title,
                            extensions: new Dictionary<string, object?> { ["field"] = SafeName(name) }).ExecuteAsync(http);
            return next(http);
        }
    }

    /// <summary>A field name as it may be echoed back: the rule's own characters removed.</summary>
    public static string SafeName(string name) => new(name.Where(c => !char.IsControl(c) && !char.IsSurrogate(c)).Take(64).ToArray());
}
