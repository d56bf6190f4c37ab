using System.Text.Json;
using Eldercare.Api.Infrastructure.Errors;
using Eldercare.Tests.Support;

namespace Eldercare.Tests;

/// <summary>The API's contract: every refusal's type code means one thing and is published; every operation says how it refuses.</summary>
public sealed class OpenApiTests
{
    [Fact]
    public void Every_problem_type_code_means_one_thing()
    {
        Assert.True(ProblemCatalog.All.Count > 100, $"only {ProblemCatalog.All.Count} problems found");
        var clashes = ProblemCatalog.All.GroupBy(p => p.Type).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(" / ", g.Select(p => $"{p.Status} {p.Title}"))}").ToList();
        Assert.Empty(clashes);
        Assert.All(ProblemCatalog.All, p => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", p.Type));
    }

    [Fact]
    public async Task The_document_publishes_every_problem_code_and_every_operation_its_problem_answer()
    {
        using var api = new ApiFactory();
        var document = JsonDocument.Parse(await api.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;

        var codes = document.GetProperty("components").GetProperty("schemas").GetProperty(ProblemCatalog.ProblemTypeSchema).GetProperty("enum")
            .EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(ProblemCatalog.All.Select(p => p.Type), codes);
        Assert.Contains("slot-full", codes);

        var undocumented = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject())
            {
                var responses = operation.Value.GetProperty("responses");
                if (!responses.TryGetProperty("default", out var refused) || !refused.GetProperty("content").TryGetProperty("application/problem+json", out _))
                    undocumented.Add($"{operation.Name.ToUpperInvariant()} {path.Name}");
            }
        Assert.Empty(undocumented);

        // Every operation declares what it answers on success (a body, or 204). These still answer anonymous objects or
        // entities and are to be typed; a new operation that declares nothing fails here.
        var untyped = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject())
                if (!operation.Value.GetProperty("responses").EnumerateObject().Any(r => r.Name == "204" || (r.Name.StartsWith('2') && r.Value.TryGetProperty("content", out _))))
                    untyped.Add($"{operation.Name.ToUpperInvariant()} {path.Name}");
        Assert.Empty(untyped); // every operation says what it answers on success

        var book = document.GetProperty("paths").GetProperty("/api/bookings").GetProperty("post").GetProperty("responses");
        Assert.True(book.TryGetProperty("201", out var created), "POST /api/bookings documents no 201");
        Assert.Contains("BookingResponse", created.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetRawText());
        Assert.True(book.TryGetProperty("401", out _));
    }

    /// <summary>
    /// The document the clients' tests check their fakes against (contract/openapi.json) is the API's own: a changed
    /// response shape fails here until the file is regenerated, and then fails the client tests whose fakes no longer fit.
    /// ELDERCARE_WRITE_CONTRACT=1 writes it afresh.
    /// </summary>
    [Fact]
    public async Task The_committed_contract_is_the_live_api_document()
    {
        using var api = new ApiFactory();
        var live = JsonSerializer.Serialize(JsonDocument.Parse(await api.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement,
            new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        var file = Path.Combine(RepoPaths.Root, "contract", "openapi.json");
        if (Environment.GetEnvironmentVariable("ELDERCARE_WRITE_CONTRACT") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, live);
        }
        Assert.True(File.Exists(file), "contract/openapi.json is missing: run ELDERCARE_WRITE_CONTRACT=1 ./eldercare.sh test --filter OpenApiTests");
        Assert.True(live == await File.ReadAllTextAsync(file),
            "contract/openapi.json differs from the API's document: run ELDERCARE_WRITE_CONTRACT=1 ./eldercare.sh test --filter OpenApiTests, then fix the client fakes it breaks");
    }
}
