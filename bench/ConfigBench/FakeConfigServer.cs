using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Autonomy.Bench.Config;

/// <summary>A stand-in for the Autonomy server's config API, for the driver's self-test: the contract's
/// paths, bearer token and SSE framing, in memory, with nothing durable.</summary>
/// <param name="hasConfigCenter">False to answer 404 on every /v1/config path, as a server without the config center does.</param>
internal sealed class FakeConfigServer(bool hasConfigCenter) : IAsyncDisposable
{
    public const string Token = "self-test-token";

    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, (string Value, long Revision, long Version)> _keys = [];
    private readonly List<Channel<string>> _watchers = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _namespaces = [];
    private long _revision;
    private Task _serving = Task.CompletedTask;

    public int Port { get; private set; }

    public void Start()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>Writes server.json and admin-token as `autonomy up` does, for <see cref="AutonomyTarget.FromStateFolder"/>.</summary>
    public void WriteState(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "server.json"), $"{{\"pid\": {Environment.ProcessId}, \"port\": {Port}}}");
        File.WriteAllText(Path.Combine(folder, "admin-token"), Token + "\n");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        lock (_lock)
        {
            _watchers.ForEach(w => w.Writer.TryComplete());
        }
        _listener.Stop();
        try
        {
            await _serving.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or TimeoutException)
        {
            // Stopping the listener ends the accept loop with one of these.
        }
        _listener.Close();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            var path = request.Url!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (request.Headers["Authorization"] != $"Bearer {Token}")
            {
                await AnswerAsync(response, 401, """{"type":"urn:autonomy:problem:unauthorized"}""");
            }
            else if (!hasConfigCenter || path.Length < 3 || path[0] != "v1" || path[1] != "config")
            {
                await AnswerAsync(response, 404, "");
            }
            else if (path.Length == 3 && request.HttpMethod == "PUT")
            {
                bool added;
                lock (_lock)
                {
                    added = _namespaces.Add(path[2]);
                }
                await AnswerAsync(response, added ? 201 : 409, $"{{\"namespace\":\"{path[2]}\"}}");
            }
            else if (path.Length == 5 && path[3] == "keys" && request.HttpMethod == "PUT")
            {
                using var body = new StreamReader(request.InputStream, Encoding.UTF8);
                var revision = Put(Uri.UnescapeDataString(path[4]), await body.ReadToEndAsync());
                await AnswerAsync(response, 200, $"{{\"revision\":{revision}}}");
            }
            else if (path.Length == 5 && path[3] == "keys" && request.HttpMethod == "GET")
            {
                var key = Uri.UnescapeDataString(path[4]);
                (string Value, long Revision, long Version) entry;
                bool found;
                lock (_lock)
                {
                    found = _keys.TryGetValue(key, out entry);
                }
                await AnswerAsync(response, found ? 200 : 404, found
                    ? JsonSerializer.Serialize(new { key, value = entry.Value, contentType = "text/plain", revision = entry.Revision, version = entry.Version })
                    : """{"type":"urn:autonomy:problem:unknown-key"}""");
            }
            else if (path.Length == 4 && path[3] == "watch" && request.HttpMethod == "GET")
            {
                await StreamChangesAsync(response);
            }
            else
            {
                await AnswerAsync(response, 405, "");
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away or the server is stopping.
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // Already closed by the other side.
            }
        }
    }

    private long Put(string key, string value)
    {
        lock (_lock)
        {
            var revision = ++_revision;
            var version = _keys.TryGetValue(key, out var old) ? old.Version + 1 : 1;
            _keys[key] = (value, revision, version);
            var data = JsonSerializer.Serialize(new { key, revision, value, deleted = false, contentType = "text/plain" });
            // Now and then a heartbeat comment, an event of another type and a deletion, which a watcher must skip.
            var noise = revision % 7 == 0
                ? $": heartbeat\n\nevent: other\ndata: {{}}\n\nid: {revision}\nevent: change\ndata: {{\"key\":\"gone\",\"revision\":{revision},\"value\":null,\"deleted\":true,\"contentType\":null}}\n\n"
                : "";
            var message = noise + $"id: {revision.ToString(CultureInfo.InvariantCulture)}\nevent: change\ndata: {data}\n\n";
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(message);
            }
            return revision;
        }
    }

    private async Task StreamChangesAsync(HttpListenerResponse response)
    {
        var changes = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            _watchers.Add(changes);
        }
        try
        {
            response.StatusCode = 200;
            response.ContentType = "text/event-stream";
            response.SendChunked = true;
            var output = response.OutputStream;
            await output.WriteAsync(": ok\n\n"u8.ToArray(), _stop.Token);
            await output.FlushAsync(_stop.Token);
            await foreach (var message in changes.Reader.ReadAllAsync(_stop.Token))
            {
                await output.WriteAsync(Encoding.UTF8.GetBytes(message), _stop.Token);
                await output.FlushAsync(_stop.Token);
            }
        }
        finally
        {
            lock (_lock)
            {
                _watchers.Remove(changes);
            }
        }
    }

    private static async Task AnswerAsync(HttpListenerResponse response, int status, string json)
    {
        response.StatusCode = status;
        response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
        var bytes = Encoding.UTF8.GetBytes(json);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }
}
