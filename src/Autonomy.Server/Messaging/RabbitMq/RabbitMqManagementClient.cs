using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Autonomy.Server.Messaging.RabbitMq;

/// <summary>Whether a PUT made the thing (201 Created) or found it there already (204 No Content).</summary>
public enum Provisioned
{
    Created,
    Existed,
}

/// <summary>
/// RabbitMQ's management HTTP API, as far as Autonomy provisions services through it: vhosts, users, their
/// permissions, and queues. Every PUT is idempotent (RabbitMQ answers 201 when it made the thing and 204 when
/// it was there). Signs in with HTTP Basic as the administrator of the <c>amqp</c> URL.
/// </summary>
public sealed class RabbitMqManagementClient : IDisposable
{
    private static readonly TimeSpan VhostsStartTimeout = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly RabbitMqSettings _settings;

    public RabbitMqManagementClient(RabbitMqSettings settings, HttpMessageHandler? handler = null)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) }, disposeHandler: handler is null)
        {
            BaseAddress = new Uri(settings.Management, "/api/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.AdminUser}:{settings.AdminPassword}")));
    }

    public Task<Provisioned> PutVhostAsync(string vhost, string description, CancellationToken ct) =>
        PutAsync($"vhosts/{Segment(vhost)}", new JsonObject { ["description"] = description }, $"vhost '{vhost}'", ct);

    /// <summary>Makes the user or sets its password again; no tags, so it has no management access.</summary>
    public Task<Provisioned> PutUserAsync(string user, string password, CancellationToken ct) =>
        PutAsync($"users/{Segment(user)}", new JsonObject { ["password"] = password, ["tags"] = "" }, $"user '{user}'", ct);

    public Task<Provisioned> PutPermissionsAsync(string vhost, string user, string configure, string write, string read, CancellationToken ct) =>
        PutAsync($"permissions/{Segment(vhost)}/{Segment(user)}", new JsonObject { ["configure"] = configure, ["write"] = write, ["read"] = read },
            $"the permissions of user '{user}' on vhost '{vhost}'", ct);

    public Task<Provisioned> PutQueueAsync(string vhost, string queue, bool durable, bool autoDelete, JsonObject arguments, CancellationToken ct) =>
        PutAsync($"queues/{Segment(vhost)}/{Segment(queue)}", new JsonObject { ["durable"] = durable, ["auto_delete"] = autoDelete, ["arguments"] = arguments.DeepClone() },
            $"queue '{queue}' in vhost '{vhost}'", ct);

    /// <summary>Whether the user exists on the server.</summary>
    public async Task<bool> UserExistsAsync(string user, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"users/{Segment(user)}"), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        await EnsureSuccessAsync(response, $"user '{user}'", ct);
        return true;
    }

    /// <summary>Waits until every vhost runs on every node (a new one takes a moment), at most ten seconds.</summary>
    public async Task AwaitVhostsAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + VhostsStartTimeout;
        while (true)
        {
            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "health/checks/virtual-hosts"), ct);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow >= deadline)
            {
                await EnsureSuccessAsync(response, "the vhosts' health", ct);
                return;
            }
            await Task.Delay(100, ct);
        }
    }

    private async Task<Provisioned> PutAsync(string path, JsonObject body, string what, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) }, ct);
        await EnsureSuccessAsync(response, what, ct);
        return response.StatusCode == HttpStatusCode.Created ? Provisioned.Created : Provisioned.Existed;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            try
            {
                return await _http.SendAsync(request, ct);
            }
            catch (HttpRequestException e)
            {
                throw new RabbitMqException($"RabbitMQ's management API at {_settings.ManagementUrl} cannot be reached ({e.HttpRequestError switch
                {
                    HttpRequestError.ConnectionError => "connection refused or no route",
                    HttpRequestError.NameResolutionError => "unknown host",
                    _ => e.Message,
                }}): check x-autonomy.messaging.management, and that the management plugin is enabled (rabbitmq-plugins enable rabbitmq_management)", e);
            }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new RabbitMqException($"RabbitMQ's management API at {_settings.ManagementUrl} did not answer in {_http.Timeout.TotalSeconds:0} s", e);
            }
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var reason = await ReasonAsync(response, ct);
        throw response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new RabbitMqException(
                $"RabbitMQ at {_settings.ManagementUrl} refused the management credentials of user '{_settings.AdminUser}': {reason} "
                + "(the administrator of x-autonomy.messaging.amqp needs the administrator tag, and the right password)"),
            HttpStatusCode.BadRequest => new RabbitMqException($"RabbitMQ at {_settings.ManagementUrl} refused {what}: {reason}"),
            _ => new RabbitMqException($"RabbitMQ at {_settings.ManagementUrl} answered {(int)response.StatusCode} {response.ReasonPhrase} for {what}: {reason}"),
        };
    }

    private static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            if (JsonNode.Parse(text) is JsonObject o && o["reason"] is JsonValue reason && reason.TryGetValue<string>(out var why))
            {
                return why;
            }
        }
        catch (JsonException)
        {
        }
        return text.Length > 200 ? text[..200] : text.Length == 0 ? "(no reason given)" : text;
    }

    // Names go in the path percent-encoded, '/' too (vhost "/" is %2F).
    private static string Segment(string name) => Uri.EscapeDataString(name);

    public void Dispose() => _http.Dispose();
}
