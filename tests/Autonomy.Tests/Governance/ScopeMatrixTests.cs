using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Autonomy.Server.Secrets;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Governance;

/// <summary>
/// Every role against every kind of resource, through the real server: each call is either let
/// through or refused with 403 naming the exact permission it lacked. A replica's own token and a
/// made service:NAME token of the same service are held to the same line.
/// </summary>
public sealed class ScopeMatrixTests
{
    [Flags]
    private enum Who
    {
        None = 0,
        Admin = 1,
        ReadOnly = 2,
        Orders = 4,
        Billing = 8,
    }

    private const Who Everyone = Who.Admin | Who.ReadOnly | Who.Orders | Who.Billing;
    private const Who Readers = Who.Admin | Who.ReadOnly;

    private sealed record Call(string Method, string Path, string Permission, Who Allowed, string? Body = null);

    // orders' compose file grants it config:read:billing; billing has no grants.
    private static readonly Call[] Calls =
    [
        new("GET", "/v1/config", "config:read", Readers),
        new("GET", "/v1/config/orders", "config:read:orders", Readers | Who.Orders),
        new("GET", "/v1/config/orders/keys/Mode", "config:read:orders", Readers | Who.Orders),
        new("PUT", "/v1/config/orders/keys/Mode", "config:write:orders", Who.Admin | Who.Orders, "fast"),
        new("POST", "/v1/config/orders/txn", "config:write:orders", Who.Admin | Who.Orders, """{"operations":[{"op":"set","key":"Txn","value":"1"}]}"""),
        new("GET", "/v1/config/orders/history", "config:read:orders", Readers | Who.Orders),
        new("GET", "/v1/config/shared", "config:read:shared", Everyone),
        new("PUT", "/v1/config/shared/keys/Mode", "config:write:shared", Who.Admin, "x"),
        new("GET", "/v1/config/billing", "config:read:billing", Readers | Who.Orders | Who.Billing),
        new("PUT", "/v1/config/billing/keys/Mode", "config:write:billing", Who.Admin | Who.Billing, "y"),
        new("GET", "/v1/config/extra", "config:read:extra", Readers),
        new("PUT", "/v1/config/extra/keys/Mode", "config:write:extra", Who.Admin, "z"),
        new("PUT", "/v1/config/newspace", "config:write:newspace", Who.Admin),
        new("GET", "/v1/services", "services:read", Readers),
        new("GET", "/v1/services/orders", "services:read:orders", Readers | Who.Orders),
        new("GET", "/v1/services/billing", "services:read:billing", Readers | Who.Billing),
        new("POST", "/v1/services/billing/scale", "services:write:billing", Who.Admin, """{"replicas":1}"""),
        new("GET", "/v1/status", "services:read", Readers),
        new("GET", "/v1/logs?tail=1", "logs:read", Readers),
        // A body that does not bind: the admin gets as far as the 400, everyone else is stopped before.
        new("POST", "/v1/reconcile", "services:write", Who.Admin, "[]"),
        new("GET", "/v1/tokens", "tokens:read", Readers),
        new("POST", "/v1/tokens", "tokens:manage", Who.Admin, """{"role":"read-only","ttl":"1h"}"""),
        new("DELETE", "/v1/tokens/tok_000000000000", "tokens:manage", Who.Admin),
        new("GET", "/v1/audit", "audit:read", Readers),
        new("GET", "/v1/secrets", "secrets:list", Readers),
        new("GET", "/v1/secrets/orders_key", "secrets:read:orders_key", Who.Admin | Who.Orders),
        new("GET", "/v1/secrets/billing_key", "secrets:read:billing_key", Who.Admin),
        new("GET", "/v1/secrets/orders_key/history", "secrets:list:orders_key", Readers),
        new("PUT", "/v1/secrets/scratch", "secrets:write:scratch", Who.Admin, "v"),
        new("POST", "/v1/secrets/billing_key/rollback", "secrets:write:billing_key", Who.Admin, """{"version":1}"""),
        new("GET", "/v1/backup", "backup:read", Who.Admin),
        new("GET", "/v1/databases", "databases:read", Readers),
        new("GET", "/v1/databases/orders", "databases:read:orders", Readers),
        new("GET", "/v1/databases/orders/url", "databases:manage:orders", Who.Admin),
        new("GET", "/v1/mq/vhosts", "messaging:read", Readers),
        new("GET", "/v1/mq/vhosts/orders", "messaging:read:orders", Readers | Who.Orders),
        new("GET", "/v1/mq/vhosts/billing", "messaging:read:billing", Readers | Who.Billing),
        new("PUT", "/v1/mq/vhosts/scratch", "messaging:manage", Who.Admin),
        new("DELETE", "/v1/mq/vhosts/no-such-vhost", "messaging:manage", Who.Admin),
        new("GET", "/v1/mq/vhosts/orders/exchanges", "messaging:read:orders", Readers | Who.Orders),
        new("GET", "/v1/mq/vhosts/orders/exchanges/amq.direct", "messaging:read:orders", Readers | Who.Orders),
        new("PUT", "/v1/mq/vhosts/orders/exchanges/matrix-x", "messaging:configure:orders", Who.Admin | Who.Orders, """{"type":"fanout"}"""),
        new("DELETE", "/v1/mq/vhosts/billing/exchanges/no-such-x", "messaging:configure:billing", Who.Admin | Who.Billing),
        new("GET", "/v1/mq/vhosts/orders/queues", "messaging:read:orders", Readers | Who.Orders),
        new("PUT", "/v1/mq/vhosts/orders/queues/matrix", "messaging:configure:orders", Who.Admin | Who.Orders, "{}"),
        new("GET", "/v1/mq/vhosts/orders/queues/matrix", "messaging:read:orders", Readers | Who.Orders),
        new("DELETE", "/v1/mq/vhosts/billing/queues/no-such-queue", "messaging:configure:billing", Who.Admin | Who.Billing),
        new("POST", "/v1/mq/vhosts/orders/exchanges/amq.default/publish", "messaging:write:orders", Who.Admin | Who.Orders, """{"routing_key":"matrix","payload":"x"}"""),
        new("POST", "/v1/mq/vhosts/billing/exchanges/amq.default/publish", "messaging:write:billing", Who.Admin | Who.Billing, """{"routing_key":"none","payload":"x"}"""),
        new("GET", "/v1/mq/vhosts/orders/queues/matrix/messages?lease=100ms", "messaging:consume:orders", Who.Admin | Who.Orders),
        new("POST", "/v1/mq/vhosts/orders/queues/matrix/ack", "messaging:consume:orders", Who.Admin | Who.Orders, """{"receipts":["r_none"]}"""),
        new("POST", "/v1/mq/vhosts/orders/queues/matrix/nack", "messaging:consume:orders", Who.Admin | Who.Orders, """{"receipts":["r_none"]}"""),
        new("GET", "/v1/mq/vhosts/orders/queues/matrix/tail", "messaging:read:orders", Readers | Who.Orders),
        new("DELETE", "/v1/mq/vhosts/orders/queues/matrix/messages", "messaging:configure:orders", Who.Admin | Who.Orders),
        new("GET", "/v1/mq/vhosts/orders/bindings", "messaging:read:orders", Readers | Who.Orders),
        new("POST", "/v1/mq/vhosts/orders/bindings", "messaging:configure:orders", Who.Admin | Who.Orders, """{"source":"amq.direct","destination":"matrix","routing_key":"m"}"""),
        new("DELETE", "/v1/mq/vhosts/orders/bindings", "messaging:configure:orders", Who.Admin | Who.Orders, """{"source":"amq.direct","destination":"matrix","routing_key":"m"}"""),
        new("GET", "/v1/mq/vhosts/orders/dead-letters", "messaging:read:orders", Readers | Who.Orders),
        new("POST", "/v1/mq/vhosts/orders/dead-letters/matrix/requeue", "messaging:consume:orders", Who.Admin | Who.Orders, "{}"),
        new("GET", "/v1/mq/vhosts/billing/dead-letters", "messaging:read:billing", Readers | Who.Billing),
        new("GET", "/v1/mq/users", "messaging:read", Readers),
        new("GET", "/v1/mq/users/orders", "messaging:read", Readers),
        new("PUT", "/v1/mq/users/matrix-user", "messaging:manage", Who.Admin, """{"password":"matrix-password"}"""),
        new("DELETE", "/v1/mq/users/no-such-user", "messaging:manage", Who.Admin),
        new("GET", "/v1/mq/vhosts/orders/permissions", "messaging:read:orders", Readers | Who.Orders),
        new("PUT", "/v1/mq/vhosts/orders/permissions/matrix-user", "messaging:manage", Who.Admin, """{"configure":"","write":".*","read":".*"}"""),
        new("DELETE", "/v1/mq/vhosts/orders/permissions/no-such-user", "messaging:manage", Who.Admin),
        // Any service finds any other; only the admin (or an external:NAME token) registers instances.
        new("GET", "/v1/registry", "registry:read", Everyone),
        new("GET", "/v1/registry/billing", "registry:read:billing", Everyone),
        new("GET", "/v1/registry/orders/events", "registry:read:orders", Everyone),
        new("PUT", "/v1/registry/orders/instances/vm-1", "registry:write:orders", Who.Admin, """{"address":"10.0.0.1","port":80}"""),
        new("PUT", "/v1/registry/billing/instances/vm-1/heartbeat", "registry:write:billing", Who.Admin),
        new("DELETE", "/v1/registry/billing/instances/vm-9", "registry:write:billing", Who.Admin),
    ];

    private const string Compose = """
        name: matrix
        services:
          orders:
            command: sh -c 'echo "$$AUTONOMY_TOKEN" > orders.token; exec sleep 300'
            secrets: [orders_key]
            x-autonomy:
              grants: [config:read:billing]
          billing:
            command: sleep 300
        secrets:
          orders_key: {external: true}
        """;

    [Fact]
    public async Task EveryRoleIsAllowedExactlyItsPermissions()
    {
        await using var server = await RunningServer.StartAsync(Compose, prepare: state =>
        {
            using var secrets = SecretStore.OpenIn(state, new Dictionary<string, string>());
            secrets.Set("orders_key", "k1"u8, "admin");
            secrets.Set("billing_key", "b1"u8, "admin");
        });
        var tokenFile = server.Files.PathOf("orders.token");
        await RunningProject.WaitUntilAsync(() => File.Exists(tokenFile) && File.ReadAllText(tokenFile).EndsWith('\n'), "orders wrote its token");
        Assert.Equal(HttpStatusCode.Created, (await server.Http.PutAsync("/v1/config/extra", null)).StatusCode);

        var callers = new List<(string Name, Who Who, HttpClient Client)>
        {
            ("admin-token file", Who.Admin, server.Http),
            ("made admin", Who.Admin, server.Client(await MakeAsync(server, "admin"))),
            ("read-only", Who.ReadOnly, server.Client(await MakeAsync(server, "read-only"))),
            ("orders replica", Who.Orders, server.Client(File.ReadAllText(tokenFile).Trim())),
            ("made service:orders", Who.Orders, server.Client(await MakeAsync(server, "service:orders"))),
            ("made service:billing", Who.Billing, server.Client(await MakeAsync(server, "service:billing"))),
        };

        var wrong = new List<string>();
        foreach (var (name, who, client) in callers)
        {
            foreach (var call in Calls)
            {
                using var response = await SendAsync(client, call);
                // Only a refusal's body is read: an allowed tail is a stream that would not end.
                var body = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? await response.Content.ReadAsStringAsync() : "";
                var allowed = call.Allowed.HasFlag(who);
                if (allowed && response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    wrong.Add($"{name}: {call.Method} {call.Path} was refused ({(int)response.StatusCode}): {body}");
                }
                else if (!allowed && response.StatusCode != HttpStatusCode.Forbidden)
                {
                    wrong.Add($"{name}: {call.Method} {call.Path} answered {(int)response.StatusCode}, not 403");
                }
                else if (!allowed)
                {
                    using var problem = JsonDocument.Parse(body);
                    Assert.Equal("urn:autonomy:problem:forbidden", problem.RootElement.GetProperty("type").GetString());
                    Assert.Equal(call.Permission, problem.RootElement.GetProperty("permission").GetString());
                    Assert.StartsWith($"missing permission {call.Permission} ", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
                }
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task WithoutAValidTokenEveryCallIs401AndHealthNeedsNone()
    {
        await using var server = await RunningServer.StartAsync("name: anon\nservices:\n  web:\n    command: sleep 300\n");
        using var none = server.Client(null);
        using var bogus = server.Client("aut_not-a-token");
        foreach (var client in new[] { none, bogus })
        {
            foreach (var call in Calls)
            {
                using var response = await SendAsync(client, call);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{call.Method} {call.Path}: {(int)response.StatusCode}");
                using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                Assert.Equal("urn:autonomy:problem:unauthorized", problem.RootElement.GetProperty("type").GetString());
            }
        }
        Assert.Equal("ok", await none.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task EveryRouteDeclaresThePermissionItNeeds()
    {
        await using var server = await RunningServer.StartAsync("name: routes\nservices:\n  web:\n    command: sleep 300\n");
        var undeclared = server.Plane.Endpoints
            .Where(e => e.Metadata.GetMetadata<Server.Api.RequiredPermission>() is null && e.Metadata.GetMetadata<Server.Api.NoTokenRequired>() is null)
            .Select(e => e.DisplayName)
            .ToList();
        Assert.True(undeclared.Count == 0, "routes without a permission: " + string.Join(", ", undeclared));
    }

    private static async Task<string> MakeAsync(RunningServer server, string role)
    {
        using var response = await server.Http.PostAsJsonAsync("/v1/tokens", new { role, ttl = "1h" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return created.RootElement.GetProperty("token").GetString()!;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, Call call)
    {
        var request = new HttpRequestMessage(new HttpMethod(call.Method), call.Path);
        if (call.Body is { } body)
        {
            request.Content = new StringContent(body, Encoding.UTF8, body.StartsWith('{') || body.StartsWith('[') ? "application/json" : "text/plain");
        }
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
