using System.Security.Cryptography;
using System.Text;
using Autonomy.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Autonomy.Server.Api;

/// <summary>
/// Who is calling: the admin (the CLI, with the token from the state folder) may do everything; a
/// replica's token may read its own service's status, read and write its own service's config
/// namespace, read the shared one, and read the stored secrets its service is granted in compose.
/// Everything else is 403, and no token (or a wrong one) 401.
/// </summary>
internal static class TokenAuthorization
{
    private const string CallerItem = "autonomy.caller";

    public static void Use(WebApplication app, ReplicaTokens tokens, string adminToken, Func<string, IReadOnlySet<string>> grantedSecrets)
    {
        var expected = Encoding.UTF8.GetBytes("Bearer " + adminToken);
        app.Use(async (context, next) =>
        {
            if (context.Request.Path == "/healthz")
            {
                await next(context);
                return;
            }
            var header = context.Request.Headers.Authorization.ToString();
            if (CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), expected))
            {
                context.Items[CallerItem] = Caller.Admin;
                await next(context);
                return;
            }
            if (header.StartsWith("Bearer ", StringComparison.Ordinal) && tokens.OwnerOf(header["Bearer ".Length..]) is { } owner)
            {
                var caller = new Caller(owner.Service, owner.Replica) { Secrets = grantedSecrets(owner.Service) };
                if (caller.May(context.Request.Method, context.Request.Path.Value ?? ""))
                {
                    context.Items[CallerItem] = caller;
                    await next(context);
                    return;
                }
                await Problems.Of(403, "forbidden", "Not allowed for this token",
                    $"a replica token of '{owner.Service}' may read GET /v1/services/{owner.Service}, use /v1/config/{owner.Service}, read /v1/config/shared and GET the secrets its service is granted (/v1/secrets/NAME); nothing else")
                    .ExecuteAsync(context);
                return;
            }
            await Problems.Of(401, "unauthorized", "A token is required", "send 'Authorization: Bearer <token>'; the admin token is in the project's state folder (admin-token)")
                .ExecuteAsync(context);
        });
    }

    /// <summary>The caller of this request (set for every request that passed).</summary>
    public static Caller CallerOf(HttpContext context) => context.Items[CallerItem] as Caller ?? throw new InvalidOperationException("no caller on an authorized request");
}

/// <summary>An authenticated caller: the admin, or one replica of a service.</summary>
internal sealed record Caller(string? Service, string? Replica)
{
    public static Caller Admin { get; } = new(null, null);

    public bool IsAdmin => Service is null;

    /// <summary>The stored secrets a replica's service is granted in compose (by their names in the store).</summary>
    public IReadOnlySet<string> Secrets { get; init; } = new HashSet<string>();

    /// <summary>Who a change is recorded as in the config history.</summary>
    public string Author => IsAdmin ? "admin" : $"{Service}/{Replica}";

    public bool May(string method, string path)
    {
        if (IsAdmin)
        {
            return true;
        }
        var reading = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        if (path == $"/v1/services/{Service}")
        {
            return reading;
        }
        if (path.StartsWith("/v1/secrets/", StringComparison.Ordinal))
        {
            // A value, and only a granted one: never a listing, a history or a change.
            var name = Uri.UnescapeDataString(path["/v1/secrets/".Length..]);
            return reading && !name.Contains('/', StringComparison.Ordinal) && Secrets.Contains(name);
        }
        var ns = NamespaceOf(path);
        return ns == Service || (reading && ns == Config.ConfigCenter.Shared);
    }

    /// <summary>The namespace a /v1/config/{ns}… path names, or null.</summary>
    public static string? NamespaceOf(string path)
    {
        const string prefix = "/v1/config/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var rest = path[prefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return Uri.UnescapeDataString(slash < 0 ? rest : rest[..slash]);
    }
}
