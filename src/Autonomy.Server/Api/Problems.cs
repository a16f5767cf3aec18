using Microsoft.AspNetCore.Http;
namespace Autonomy.Server.Api;

/// <summary>RFC 9457 problem details with a stable <c>type</c> per kind of error; never a stack trace.</summary>
internal static class Problems
{
    public static IResult Of(int status, string type, string title, string detail) =>
        Results.Problem(type: $"urn:autonomy:problem:{type}", title: title, detail: detail, statusCode: status);

    /// <summary>A service that did not become ready, with its last log lines for the CLI to show.</summary>
    public static IResult ServiceFailed(Runtime.Supervision.ServiceStartException e) =>
        Results.Problem(type: "urn:autonomy:problem:service-failed", title: "The service did not become ready", detail: e.Message, statusCode: 409,
            extensions: new Dictionary<string, object?> { ["logLines"] = e.LastLogLines });

    /// <summary>A call the token's role does not allow: names the permission it lacks (never anything the call carried).</summary>
    public static IResult Forbidden(string permission, string role) =>
        Results.Problem(type: "urn:autonomy:problem:forbidden", title: "Not allowed for this token", statusCode: 403,
            detail: $"missing permission {permission} (the token's role is {role})",
            extensions: new Dictionary<string, object?> { ["permission"] = permission });

    public static IResult UnknownService(string name) =>
        Of(404, "unknown-service", "No such service", $"no service '{name}' runs in this project");
}
