using System.Globalization;
using System.Text.Json;
using Autonomy.Server.Compose.Loading;
using Autonomy.Server.Hosting;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Http;
using Autonomy.Server.Messaging.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>
/// The embedded broker's HTTP API under <c>/v1/mq</c>, one file per resource: vhosts, exchanges, queues,
/// bindings, publishing, receiving under a lease, tails, dead letters, users and permissions. Each route
/// declares its <c>messaging:*</c> permission; a broker user (HTTP Basic with its password) is further held
/// to its vhost permission's patterns for the exchange or queue it names, as RabbitMQ holds it.
/// The JSON is snake_case, as RabbitMQ's management API writes it.
/// </summary>
internal static partial class MessagingApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void Map(WebApplication app, ControlPlane plane)
    {
        var mq = app.MapGroup("/v1/mq");
        MapRabbitMqVhosts(mq, plane);
        MapVhosts(mq, plane);
        MapExchanges(mq, plane);
        MapPublish(mq, plane);
        MapQueues(mq, plane);
        MapMessages(mq, plane);
        MapTail(mq, plane);
        MapBindings(mq, plane);
        MapDeadLetters(mq, plane);
        MapUsers(mq, plane);
    }

    /// <summary>Runs a handler, turning the broker's refusals and a body's mistakes into problems.</summary>
    private static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (InvalidBodyException e)
        {
            return Results.Problem(type: "urn:autonomy:problem:invalid-body", title: "The request is not valid", detail: e.Message, statusCode: 400,
                extensions: new Dictionary<string, object?> { ["field"] = e.Field });
        }
        catch (BrokerException e)
        {
            return Refused(e);
        }
    }

    private static Task<IResult> Guard(Func<IResult> action) => Guard(() => Task.FromResult(action()));

    /// <summary>
    /// A broker refusal as HTTP: NOT_FOUND 404, ACCESS_REFUSED 403, RESOURCE_LOCKED 409, PRECONDITION_FAILED
    /// 409 when it is about what exists (inequivalent redeclaration, in use, not empty) and 400 when it is
    /// about what was sent; the AMQP reply text is the detail, and its code is kept beside it.
    /// </summary>
    internal static IResult Refused(BrokerException e)
    {
        var (status, type) = e.Code switch
        {
            ReplyCode.NotFound => (404, "mq-not-found"),
            ReplyCode.AccessRefused or ReplyCode.NotAllowed => (403, "mq-access-refused"),
            ReplyCode.ResourceLocked => (409, "mq-resource-locked"),
            ReplyCode.PreconditionFailed when IsAboutState(e.Reason) => (409, "mq-precondition-failed"),
            ReplyCode.PreconditionFailed or ReplyCode.CommandInvalid or ReplyCode.SyntaxError => (400, "mq-invalid"),
            ReplyCode.ResourceError => (503, "mq-unavailable"),
            ReplyCode.NotImplemented => (501, "mq-not-implemented"),
            _ => (500, "mq-failed"),
        };
        return Results.Problem(type: $"urn:autonomy:problem:{type}", title: "The broker refused", detail: e.Message, statusCode: status,
            extensions: new Dictionary<string, object?> { ["reply_code"] = (int)e.Code, ["reply_text"] = e.Message });
    }

    private static bool IsAboutState(string reason) =>
        reason.Contains("inequivalent", StringComparison.OrdinalIgnoreCase) || reason.Contains("in use", StringComparison.OrdinalIgnoreCase)
        || reason.Contains("not empty", StringComparison.OrdinalIgnoreCase) || reason.Contains("exclusive", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// For a broker user: 403 unless its permission in <paramref name="vhost"/> lets it do <paramref name="operation"/>
    /// to the exchange or queue <paramref name="name"/>. Tokens pass (their permission was checked on the route).
    /// </summary>
    private static IResult? Refuse(HttpContext context, BrokerPermissions permissions, string vhost, Operation operation, string kind, string name)
    {
        if (TokenAuthorization.CallerOf(context).BrokerUser is not { } user)
        {
            return null;
        }
        var resource = kind == "exchange" ? MessagingViews.ExchangeName(name) : name;
        if (permissions.Check(user, vhost, operation, resource))
        {
            return null;
        }
        var verb = operation.ToString().ToLowerInvariant();
        var pattern = permissions.Of(user, vhost)?.For(operation).Text ?? "";
        return Results.Problem(type: "urn:autonomy:problem:forbidden", title: "Not allowed for this user", statusCode: 403,
            detail: $"ACCESS_REFUSED - {verb} access to {kind} '{resource}' in vhost '{vhost}' refused for user '{user}' (its {verb} pattern is '{pattern}')",
            extensions: new Dictionary<string, object?> { ["permission"] = $"{verb} {kind} '{resource}'", ["reply_code"] = (int)ReplyCode.AccessRefused });
    }

    /// <summary>An exchange's name in a path: amq.default is the default exchange "".</summary>
    private static string ExchangeOf(string name) => name == MessagingViews.DefaultExchange ? "" : name;

    private static IResult Ok(object? value, int status = 200) => Results.Json(value, Json, statusCode: status);

    /// <summary>A duration in a query: a whole number of seconds, or Go's form (500ms, 30s, 5m, 12h).</summary>
    private static TimeSpan Duration(HttpRequest request, string name, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        if (request.Query[name].ToString() is not { Length: > 0 } text)
        {
            return fallback;
        }
        TimeSpan value;
        bool ok;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            ok = seconds <= max.TotalSeconds;
            value = ok ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
        }
        else
        {
            ok = GoDuration.TryParse(text, out value);
        }
        return ok && value >= min && value <= max ? value
            : throw new InvalidBodyException(name, $"{name} is '{text}'; give seconds or a duration such as 500ms, 30s or 5m, from {Show(min)} to {Show(max)}");
    }

    private static int Count(HttpRequest request, string name, int fallback, int min, int max)
    {
        if (request.Query[name].ToString() is not { Length: > 0 } text)
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value
            : throw new InvalidBodyException(name, $"{name} is '{text}'; give a whole number from {min} to {max}");
    }

    private static string Show(TimeSpan span) => span switch
    {
        { TotalHours: >= 1 } when span.TotalHours % 1 == 0 => $"{span.TotalHours:0}h",
        { TotalMinutes: >= 1 } when span.TotalMinutes % 1 == 0 => $"{span.TotalMinutes:0}m",
        { TotalSeconds: >= 1 } when span.TotalSeconds % 1 == 0 => $"{span.TotalSeconds:0}s",
        _ => $"{span.TotalMilliseconds:0}ms",
    };
}
