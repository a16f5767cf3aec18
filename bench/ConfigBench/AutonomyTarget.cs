using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Autonomy.Bench.Config;

/// <summary>Autonomy's config center over its HTTP API, every client and watch on its own connection.</summary>
internal sealed class AutonomyTarget : IConfigTarget
{
    public const string Namespace = "bench";

    private readonly Uri _baseAddress;
    private readonly string _token;

    public AutonomyTarget(Uri baseAddress, string token, int? serverPid)
    {
        _baseAddress = baseAddress;
        _token = token;
        ServerPid = serverPid;
    }

    public string Name => "Autonomy";

    public int? ServerPid { get; }

    /// <summary>Reads where the server listens and its admin token from a project's state folder.</summary>
    public static AutonomyTarget FromStateFolder(string folder)
    {
        var serverFile = Path.Combine(folder, "server.json");
        var tokenFile = Path.Combine(folder, "admin-token");
        if (!File.Exists(serverFile) || !File.Exists(tokenFile))
        {
            throw new BenchFailure($"no Autonomy server state in {folder} (server.json and admin-token): is the project up?");
        }
        using var server = JsonDocument.Parse(File.ReadAllText(serverFile));
        var port = server.RootElement.GetProperty("port").GetInt32();
        int? pid = server.RootElement.TryGetProperty("pid", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : null;
        return new AutonomyTarget(new Uri($"http://127.0.0.1:{port}"), File.ReadAllText(tokenFile).Trim(), pid);
    }

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        using var http = CreateHttpClient(TimeSpan.FromSeconds(30));
        var path = $"/v1/config/{Namespace}";
        HttpResponseMessage response;
        try
        {
            response = await http.PutAsync(path, null, cancellationToken);
            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType)
            {
                // The contract gives the namespace no body; a server that wants a JSON one gets an empty object.
                response.Dispose();
                response = await http.PutAsync(path, new StringContent("{}", Encoding.UTF8, "application/json"), cancellationToken);
            }
        }
        catch (HttpRequestException e)
        {
            throw new BenchFailure($"cannot reach the Autonomy server at {_baseAddress}: {e.Message}");
        }
        using (response)
        {
            // A namespace that already exists (a second run) is as good as a new one.
            if (response.StatusCode != HttpStatusCode.Conflict)
            {
                await EnsureSuccessAsync(response, $"PUT {path}", cancellationToken);
            }
        }
        using var client = CreateClient();
        var probe = $"probe-{Guid.NewGuid():N}";
        await client.PutAsync("probe", probe, cancellationToken);
        var read = await client.GetAsync("probe", cancellationToken);
        if (read != probe)
        {
            throw new BenchFailure($"Autonomy returned '{read}' for a key just written as '{probe}'");
        }
    }

    public IConfigClient CreateClient(bool serializableReads = false) =>
        new AutonomyConfigClient(CreateHttpClient(TimeSpan.FromSeconds(30)));

    /// <summary>A client of GET /healthz on a connection of its own: the cost of an HTTP call that does nothing.</summary>
    public HttpClient CreateHealthClient() => CreateHttpClient(TimeSpan.FromSeconds(30));

    public async Task<IAsyncDisposable> WatchAsync(Action<string, long> onChange, CancellationToken cancellationToken) =>
        await ServerSentEventsWatch.OpenAsync(
            CreateHttpClient(Timeout.InfiniteTimeSpan), $"/v1/config/{Namespace}/watch", onChange, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Turns a failed answer into one line; a 404 on the config paths means the server predates the config center.</summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, string request, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new BenchFailure($"the Autonomy server answered 404 to {request}: it has no config center API (/v1/config): build a version that has it, or measure etcd alone with --only etcd");
        }
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (body.Length > 300)
        {
            body = body[..300] + "…";
        }
        throw new BenchFailure($"the Autonomy server answered {(int)response.StatusCode} {response.ReasonPhrase} to {request}: {body.ReplaceLineEndings(" ")}");
    }

    private HttpClient CreateHttpClient(TimeSpan timeout)
    {
        // A handler per client gives each client (and each watch) a connection of its own, as an etcd channel does.
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
        };
        var http = new HttpClient(handler) { BaseAddress = _baseAddress, Timeout = timeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return http;
    }
}
