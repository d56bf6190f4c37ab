using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Eldercare.Api.Domain;
using Eldercare.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static Eldercare.Tests.Support.Scenario;

namespace Eldercare.Tests;

public sealed class TextInputTestsOnSqlite(SharedApi api) : TextInputTests(api), IClassFixture<SharedApi>;

public sealed class TextInputTestsOnPostgres(SharedPostgresApi api) : TextInputTests(api), IClassFixture<SharedPostgresApi>;

/// <summary>
/// One rule for all text, so both databases behave alike: PostgreSQL cannot store NUL, and a NUL sent to it could upset
/// the pooled connection for the next request. Every free-text field of every JSON body in the OpenAPI document is tried.
/// </summary>
public abstract class TextInputTests(ApiFactory factory)
{
    private readonly ApiFactory _factory = factory;

    [Fact]
    public async Task A_nul_in_any_free_text_field_of_any_endpoint_is_a_400_naming_the_field_and_the_next_booking_works()
    {
        var s = await CreateAsync(_factory);
        var officer = await s.StaffClientAsync(StaffRole.Officer);
        var document = JsonDocument.Parse(await officer.GetStringAsync("/openapi/v1.json")).RootElement;
        var schemas = document.GetProperty("components").GetProperty("schemas");

        var tried = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "post" or "put"))
            {
                if (!operation.Value.TryGetProperty("requestBody", out var body) || !body.GetProperty("content").TryGetProperty("application/json", out var json)) continue;
                var url = System.Text.RegularExpressions.Regex.Replace(path.Name, "{[^}]+}", "1");
                foreach (var (field, payload) in FreeTextFields(Resolve(json.GetProperty("schema"), schemas), schemas))
                {
                    tried.Add($"{operation.Name.ToUpperInvariant()} {path.Name} {field}");
                    var request = new HttpRequestMessage(new HttpMethod(operation.Name.ToUpperInvariant()), url)
                    {
                        Content = new StringContent(payload("a\u0000b").ToJsonString(), Encoding.UTF8, "application/json"),
                    };
                    request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                    var response = await officer.SendAsync(request);
                    var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
                    Assert.True(answer.TryGetProperty("type", out var type) && type.GetString() == "text-not-allowed" && (int)response.StatusCode == 400,
                        $"{tried[^1]}: {(int)response.StatusCode} {answer}");
                    Assert.Equal(field, answer.GetProperty("field").GetString());
                }
            }
        // The endpoints whose free text elders, families and staff type most.
        Assert.Contains(tried, t => t.EndsWith("/api/bookings/{id}/cancel reason"));
        Assert.Contains(tried, t => t.EndsWith("/api/elders name"));
        Assert.Contains(tried, t => t.EndsWith("/api/elders emergencyContacts[0].name"));
        Assert.Contains(tried, t => t.EndsWith("/api/auth/staff username"));
        Assert.True(tried.Count >= 30, string.Join("\n", tried));

        // The database saw none of it: the next write on the pool works.
        var elder = await s.AddElderAsync();
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        Assert.Equal(HttpStatusCode.Created, (await BookAsync(await s.HotlineClientAsync(), elder.Id, slot.Id)).StatusCode);
    }

    [Fact]
    public async Task Text_is_refused_with_the_reason_or_stored_normalised_and_nothing_is_half_written()
    {
        var s = await CreateAsync(_factory);
        var elder = await s.AddElderAsync();
        var slot = await s.AddSlotAsync(s.Cleaning, s.Pool1, new(9, 0), new(11, 0));
        var self = await s.ElderClientAsync(elder);
        var id = (await JsonAsync(await BookAsync(self, elder.Id, slot.Id))).GetProperty("id").GetInt64();

        foreach (var (reason, why) in new[] { ("不去了\u0000", "控制字符"), ("不去了\u001b[2J", "控制字符"), ("\u202E了去不", "文字方向"), (new string('长', 4001), "太长") })
        {
            var refused = await HttpAssert.ProblemAsync(await self.PostAsJsonAsync($"/api/bookings/{id}/cancel", new { reason }), 400, "text-not-allowed");
            Assert.Equal("reason", refused.GetProperty("field").GetString());
            Assert.Contains(why, refused.GetProperty("detail").GetString());
        }
        Assert.Equal(BookingStatus.Requested, await s.WithDbAsync(db => db.Bookings.Where(b => b.Id == id).Select(b => b.Status).SingleAsync()));

        // Query strings follow the same rule.
        var clerk = await s.StaffClientAsync(StaffRole.Clerk);
        var query = await HttpAssert.ProblemAsync(await clerk.GetAsync("/api/elders?q=%E7%8E%8B%00"), 400, "text-not-allowed");
        Assert.Equal("q", query.GetProperty("field").GetString());

        // Tabs and line breaks are text; a decomposed accent is stored composed, as the same words must be the same bytes.
        Assert.Equal(HttpStatusCode.OK, (await self.PostAsJsonAsync($"/api/bookings/{id}/cancel", new { reason = "Cafe\u0301\t家里\n有事" })).StatusCode);
        Assert.Equal("Caf\u00e9\t家里\n有事", await s.WithDbAsync(db => db.Bookings.Where(b => b.Id == id).Select(b => b.CancelReason).SingleAsync()));
    }

    /// <summary>Every plain string field of a body schema (nested objects and first array items too), with a body that sets only it.</summary>
    private static IEnumerable<(string Field, Func<string, System.Text.Json.Nodes.JsonNode> Payload)> FreeTextFields(JsonElement schema, JsonElement schemas, string prefix = "", int depth = 0)
    {
        if (depth > 3 || !schema.TryGetProperty("properties", out var properties)) yield break;
        foreach (var property in properties.EnumerateObject())
        {
            var p = Resolve(property.Value, schemas);
            var name = prefix + property.Name;
            // A named string schema is an enum (flags enums list no values); free text is always an inline string.
            var named = Resolve(property.Value, schemas).GetRawText() != property.Value.GetRawText();
            if (IsPlainString(p) && !named)
                yield return (name, text => new System.Text.Json.Nodes.JsonObject { [property.Name] = text });
            else if (p.TryGetProperty("properties", out _))
                foreach (var (inner, payload) in FreeTextFields(p, schemas, name + ".", depth + 1))
                    yield return (inner, text => new System.Text.Json.Nodes.JsonObject { [property.Name] = payload(text) });
            else if (p.TryGetProperty("items", out var items) && Resolve(items, schemas) is var item && item.TryGetProperty("properties", out _))
                foreach (var (inner, payload) in FreeTextFields(item, schemas, name + "[0].", depth + 1))
                    yield return (inner, text => new System.Text.Json.Nodes.JsonObject { [property.Name] = new System.Text.Json.Nodes.JsonArray(payload(text)) });
        }
    }

    /// <summary>A string field (the document leaves out "type" on strings that carry validation attributes, so no type counts too).</summary>
    private static bool IsPlainString(JsonElement p) =>
        (TypeOf(p) is "" or "string" or "null,string" or "string,null") && !p.TryGetProperty("enum", out _) && !p.TryGetProperty("format", out _)
        && !p.TryGetProperty("properties", out _) && !p.TryGetProperty("items", out _) && !p.TryGetProperty("oneOf", out _) && !p.TryGetProperty("anyOf", out _);

    private static string TypeOf(JsonElement p) => p.TryGetProperty("type", out var t)
        ? t.ValueKind == JsonValueKind.Array ? string.Join(",", t.EnumerateArray().Select(x => x.GetString())) : t.GetString() ?? ""
        : "";

    private static JsonElement Resolve(JsonElement schema, JsonElement schemas)
    {
        if (schema.TryGetProperty("$ref", out var r)) return schemas.GetProperty(r.GetString()!.Split('/').Last());
        // "oneOf: [null, {$ref}]" is how a nullable object is written
        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
            if (schema.TryGetProperty(combinator, out var options))
                foreach (var option in options.EnumerateArray())
                    if (option.TryGetProperty("$ref", out _)) return Resolve(option, schemas);
        return schema;
    }
}
