using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Eldercare.Api.Infrastructure.Errors;

/// <summary>
/// One kind of failure a caller can act on. <see cref="Type"/> is the stable code that clients switch on;
/// <see cref="Title"/> is plain Chinese that a screen can show or the hotline can say as it is.
/// </summary>
public sealed record Problem(string Type, int Status, string Title)
{
    public ProblemHttpResult ToResult(string? detail = null, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(new ProblemDetails { Type = Type, Status = Status, Title = Title, Detail = detail, Extensions = extensions ?? new Dictionary<string, object?>() });
}

/// <summary>
/// The one way a service says no: the problem, with an optional detail (e.g. why an elder is not eligible) and extra
/// fields. Services return it (alone, or in an <see cref="Outcome{T}"/>); only endpoints turn it into HTTP.
/// </summary>
public sealed record Refusal(Problem Problem, string? Detail = null, IDictionary<string, object?>? Extensions = null)
{
    public IResult ToResult() => Problem.ToResult(Detail, Extensions);

    public static implicit operator Refusal(Problem problem) => new(problem);
}

/// <summary>What a service did: its result, or the <see cref="Refusal"/> to answer with instead.</summary>
public readonly record struct Outcome<T>(T? Value, Refusal? Refusal)
{
    public static implicit operator Outcome<T>(T value) => new(value, null);
    public static implicit operator Outcome<T>(Refusal refusal) => new(default, refusal);
    public static implicit operator Outcome<T>(Problem problem) => new(default, new Refusal(problem));

    /// <summary>The endpoint's answer: <paramref name="success"/> of the value, or the refusal as a problem.</summary>
    public IResult ToHttp(Func<T, IResult> success) => Refusal is { } refusal ? refusal.ToResult() : success(Value!);

    public async Task<IResult> ToHttpAsync(Func<T, Task<IResult>> success) => Refusal is { } refusal ? refusal.ToResult() : await success(Value!);
}

/// <summary>
/// Problems shared by every feature. A feature's own refusals live with the feature (e.g. BookingProblems);
/// every type code is unique across the hub, since clients switch on it.
/// </summary>
public static class Problems
{
    public static readonly Problem MalformedRequest = new("malformed-request", 400, "请求的格式不对，请检查后再试");
    public static readonly Problem ValidationFailed = new("validation-failed", 400, "填写的内容有误，请按提示修改");
    public static readonly Problem Unauthenticated = new("unauthenticated", 401, "请先登录");
    /// <summary>A session whose person is no longer on file (a family record removed): log in again.</summary>
    public static readonly Problem SessionEnded = new("session-ended", 401, "登录已失效，请重新登录");
    public static readonly Problem Forbidden = new("forbidden", 403, "您没有权限办理这项业务");
    public static readonly Problem NotFound = new("not-found", 404, "没有找到您要的内容");
    public static readonly Problem MethodNotAllowed = new("method-not-allowed", 405, "不支持这种操作方式");
    public static readonly Problem NotAcceptable = new("not-acceptable", 406, "无法提供所要求的格式");
    public static readonly Problem Conflict = new("conflict", 409, "这项内容已被改动，请刷新后再试");
    public static readonly Problem PayloadTooLarge = new("payload-too-large", 413, "提交的内容太大了");
    public static readonly Problem UnsupportedMediaType = new("unsupported-media-type", 415, "请用 JSON 格式提交");
    public static readonly Problem TooManyRequests = new("too-many-requests", 429, "操作太频繁，请稍后再试");
    public static readonly Problem InternalError = new("internal-error", 500, "系统出了点问题，请稍后再试或拨打热线");
    public static readonly Problem SessionStoreUnavailable = new("session-store-unavailable", 503, "登录服务暂时不可用，请稍后再试");
    public static readonly Problem ServiceUnavailable = new("service-unavailable", 503, "服务暂时不可用，请稍后再试");

    private static readonly Dictionary<int, Problem> ByStatus = new[]
    {
        MalformedRequest, Unauthenticated, Forbidden, NotFound, MethodNotAllowed, NotAcceptable, Conflict,
        PayloadTooLarge, UnsupportedMediaType, TooManyRequests, InternalError, ServiceUnavailable,
    }.ToDictionary(p => p.Status);

    /// <summary>The generic problem for a bare status code (404 from routing, 415 from the body reader ...).</summary>
    public static Problem ForStatus(int status) => ByStatus.GetValueOrDefault(status) ?? (status >= 500 ? InternalError : MalformedRequest);
}
