using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Eldercare.Api.Infrastructure.Errors;

/// <summary>
/// Every refusal the hub can give: the <see cref="Problem"/> fields declared anywhere in the API. Clients switch on
/// a problem's type code, so the codes are published in the OpenAPI document (the ProblemType schema, with each
/// code's status and Chinese title) and each must mean one thing.
/// </summary>
public static class ProblemCatalog
{
    public static readonly IReadOnlyList<Problem> All = typeof(Problem).Assembly.GetTypes()
        .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
        .Where(f => f.FieldType == typeof(Problem) && f.IsInitOnly)
        .Select(f => (Problem)f.GetValue(null)!)
        .Distinct()
        .OrderBy(p => p.Type, StringComparer.Ordinal)
        .ToList();

    public const string ProblemTypeSchema = "ProblemType", ProblemDetailsSchema = "ProblemDetails";

    /// <summary>Adds the ProblemType and ProblemDetails schemas, and on every operation the problem answer (and 401 where a session is needed).</summary>
    public static void DescribeProblems(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            document.Components.Schemas[ProblemTypeSchema] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "The stable type code of a refusal (ProblemDetails.type); clients switch on it. Each code, its status and its title:\n\n"
                    + string.Join("\n", All.Select(p => $"- `{p.Type}` ({p.Status}): {p.Title}")),
                Enum = All.Select(p => (JsonNode)JsonValue.Create(p.Type)!).ToList(),
            };
            document.Components.Schemas[ProblemDetailsSchema] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Why a request was not done (RFC 9457): the type code, the HTTP status, a Chinese title to show as it is, and a detail",
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["type"] = new OpenApiSchemaReference(ProblemTypeSchema, document),
                    ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                    ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                },
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            operation.Responses ??= new OpenApiResponses();
            OpenApiMediaType Problem() => new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemDetailsSchema, context.Document) };
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var needsSession = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
            if (needsSession && !operation.Responses.ContainsKey("401"))
                operation.Responses["401"] = new OpenApiResponse { Description = "No session, or it ended: log in again", Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = Problem() } };
            operation.Responses["default"] = new OpenApiResponse
            {
                Description = "Refused: a ProblemDetails whose type is one of ProblemType (validation-failed, forbidden, the feature's own codes)",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = Problem() },
            };
            return Task.CompletedTask;
        });
    }
}
