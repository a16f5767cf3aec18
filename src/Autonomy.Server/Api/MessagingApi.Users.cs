using System.Text.Json;
using Autonomy.Server.Hosting;
using Autonomy.Server.Messaging.Access;
using Autonomy.Server.Messaging.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autonomy.Server.Api;

internal static partial class MessagingApi
{
    private const int MinPasswordLength = 8;

    /// <summary>
    /// Broker users and their vhost permissions (messaging:manage to change them). A user is
    /// <c>{password, tags}</c> (the password is kept hashed and never shown); a permission is
    /// <c>{configure, write, read}</c>, three regular expressions of exchange and queue names. A service's own
    /// user is the server's: it cannot be replaced or deleted, but it can be given permissions elsewhere.
    /// </summary>
    private static void MapUsers(RouteGroupBuilder mq, ControlPlane plane)
    {
        var users = plane.BrokerUsers;
        var permissions = users.Permissions;

        mq.MapGet("/users", () => Ok(users.All().Select(u => MessagingViews.User(u, permissions)))).Requires("messaging:read");

        mq.MapGet("/users/{name}", (string name) => users.Find(name) is { } user
            ? Ok(MessagingViews.User(user, permissions))
            : UnknownUser(name)).Requires("messaging:read");

        mq.MapPut("/users/{name}", (string name, HttpContext context, CancellationToken ct) => Guard(async () =>
        {
            if (BrokerNames.CheckUser(name) is { } problem)
            {
                throw new InvalidBodyException("name", problem);
            }
            if (users.Find(name) is { IsService: true })
            {
                return ServiceUser(name);
            }
            var body = await JsonFields.ReadAsync(context.Request, optional: false, ct);
            var password = body.String("password") ?? throw new InvalidBodyException("password", "password is missing: give the user's password (it is kept hashed, never shown)");
            if (password.Length < MinPasswordLength || password.Any(char.IsControl))
            {
                throw new InvalidBodyException("password", $"the password must be at least {MinPasswordLength} characters long, without control characters");
            }
            var tags = Tags(body);
            body.EnsureNoOthers();
            var added = await users.PutAsync(name, password, tags, RequestAudit.Claim(context, $"mq user {name}"), ct);
            return Ok(MessagingViews.User(users.Find(name)!, permissions), added ? 201 : 200);
        })).Requires("messaging:manage");

        mq.MapDelete("/users/{name}", (string name, HttpContext context, CancellationToken ct) => Guard(async () =>
            users.Find(name) switch
            {
                null => UnknownUser(name),
                { IsService: true } => ServiceUser(name),
                _ => await users.DeleteAsync(name, RequestAudit.Claim(context, $"mq user {name}"), ct) ? Results.NoContent() : UnknownUser(name),
            })).Requires("messaging:manage");

        mq.MapGet("/vhosts/{vhost}/permissions", (string vhost) => Guard(() =>
        {
            plane.Broker.GetVirtualHost(vhost);
            return Ok(permissions.ForVhost(vhost).Select(MessagingViews.Permission));
        })).Requires("messaging:read:{vhost}");

        mq.MapPut("/vhosts/{vhost}/permissions/{user}", (string vhost, string user, HttpContext context, CancellationToken ct) => Guard(async () =>
        {
            plane.Broker.GetVirtualHost(vhost);
            if (users.Find(user) is null)
            {
                return UnknownUser(user);
            }
            var body = await JsonFields.ReadAsync(context.Request, optional: false, ct);
            var permission = new VhostPermission(user, vhost, Pattern(body, "configure"), Pattern(body, "write"), Pattern(body, "read"));
            body.EnsureNoOthers();
            await permissions.SetAsync(permission, RequestAudit.Claim(context, $"mq permission {user} on {vhost}"), ct);
            return Ok(MessagingViews.Permission(permissions.Of(user, vhost)!));
        })).Requires("messaging:manage");

        mq.MapDelete("/vhosts/{vhost}/permissions/{user}", (string vhost, string user, HttpContext context, CancellationToken ct) => Guard(async () =>
        {
            if (await permissions.ClearAsync(user, vhost, RequestAudit.Claim(context, $"mq permission {user} on {vhost}"), ct))
            {
                return Results.NoContent();
            }
            return permissions.Of(user, vhost) is not null
                ? Problems.Of(409, "mq-service-user", "A service's own permission",
                    $"'{user}' has its permission on vhost '{vhost}' from the project (its own vhost, or its x-autonomy.grants); change the compose file to change it")
                : Problems.Of(404, "mq-unknown-permission", "No such permission", $"user '{user}' has no permission set on vhost '{vhost}'");
        })).Requires("messaging:manage");
    }

    private static IResult UnknownUser(string name) =>
        Problems.Of(404, "mq-unknown-user", "No such broker user", $"there is no broker user '{name}'; GET /v1/mq/users lists them");

    private static IResult ServiceUser(string name) => Problems.Of(409, "mq-service-user", "A service's own user",
        $"'{name}' is the broker user of the service '{name}': the server makes it, with a new password each start (its replicas get it in MESSAGE_QUEUE_HTTP_URL); choose another name");

    // RabbitMQ takes tags as a list or as one comma-separated string; so does this.
    private static List<string> Tags(JsonFields body)
    {
        var tags = body.Get("tags") switch
        {
            null => [],
            { ValueKind: JsonValueKind.String } text => text.GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
            { ValueKind: JsonValueKind.Array } list => list.EnumerateArray().Select((t, i) => t.ValueKind == JsonValueKind.String
                ? t.GetString()!.Trim()
                : throw body.Wrong($"tags[{i}]", "a tag (a string)", t)).ToList(),
            var other => throw body.Wrong("tags", "a list of tags, or one comma-separated string", other.Value),
        };
        return tags.FirstOrDefault(t => t.Length == 0 || t.Length > 64 || !t.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')) is { } bad
            ? throw new InvalidBodyException("tags", $"'{bad}' is not a tag: use letters, digits, '_' and '-' (administrator, monitoring, management …)")
            : [.. tags.Distinct(StringComparer.Ordinal)];
    }

    private static PermissionPattern Pattern(JsonFields body, string operation)
    {
        var text = body.String(operation)
            ?? throw new InvalidBodyException(operation, $"{operation} is missing: give the regular expression of the names it allows (\".*\" for all, \"\" for none)");
        return PermissionPattern.TryParse(text, out var pattern, out var problem) ? pattern : throw new InvalidBodyException(operation, $"{operation}: {problem}");
    }
}
