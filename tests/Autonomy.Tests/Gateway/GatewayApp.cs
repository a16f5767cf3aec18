using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Autonomy.Server.Gateway;

namespace Autonomy.Tests.Gateway;

/// <summary>
/// The replica the gateway tests run (Python's standard library only): it answers what it saw as JSON, and its
/// behaviour is switched by files in its working directory named after its instance, so that a test can make one
/// replica slow, broken or sick while the others stay well.
/// </summary>
internal static class GatewayApp
{
    public const string Script = """
        import base64, hashlib, http.server, json, os, time
        instance = os.environ.get("AUTONOMY_INSTANCE", "?")
        def flag(name):
            return os.path.exists(instance + "." + name)
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass
            def answer(self, code, body, content_type="application/json"):
                self.send_response(code)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                if self.headers.get("Upgrade", "").lower() == "websocket":
                    # Switches protocols, then echoes raw bytes: the gateway copies an upgraded connection both ways
                    # without reading it, so framing is the two ends' business.
                    key = self.headers.get("Sec-WebSocket-Key", "")
                    accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
                    self.send_response(101)
                    self.send_header("Upgrade", "websocket")
                    self.send_header("Connection", "Upgrade")
                    self.send_header("Sec-WebSocket-Accept", accept)
                    self.end_headers()
                    self.wfile.flush()
                    while True:
                        data = self.connection.recv(4096)
                        if not data:
                            break
                        self.connection.sendall(data)
                    self.close_connection = True
                    return
                if self.path == "/health":
                    return self.answer(503 if flag("sick") else 200, b"ok", "text/plain")
                if flag("broken"):
                    # No answer at all: the connection closes under the request.
                    self.close_connection = True
                    return
                if flag("failing"):
                    return self.answer(500, b"failing", "text/plain")
                if "/sleep/" in self.path:
                    time.sleep(int(self.path.rsplit("/", 1)[1]) / 1000)
                if flag("slow"):
                    time.sleep(1)
                if self.path.startswith("/bytes/"):
                    # N bytes (byte i is i % 251), chunked in pieces of 10,000 written together.
                    size = int(self.path.rsplit("/", 1)[1])
                    body = bytes(i % 251 for i in range(size))
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for start in range(0, size, 10000):
                        part = body[start:start + 10000]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                    self.wfile.write(b"0\r\n\r\n")
                    return
                if self.path == "/stream":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    for i in range(3):
                        part = ("part %d\n" % i).encode()
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                        self.wfile.flush()
                        if i == 0:
                            while not os.path.exists("stream.go"):
                                time.sleep(0.02)
                    self.wfile.write(b"0\r\n\r\n")
                    return
                seen = {
                    "instance": instance,
                    "method": self.command,
                    "path": self.path,
                    "host": self.headers.get("Host"),
                    "request_id": self.headers.get("X-Request-Id"),
                    "traceparent": self.headers.get("traceparent"),
                    "frontend": self.headers.get("X-Autonomy-Frontend"),
                }
                self.answer(200, json.dumps(seen).encode())
            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any
        http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """;

    /// <summary>A service running <see cref="Script"/> (app.py) with a fast native HTTP health check and <paramref name="autonomy"/> lines under x-autonomy.</summary>
    public static string Service(string name, string autonomy = "", int replicas = 1) => $"""
          {name}:
            command: ["python3", "app.py"]
            deploy:
              replicas: {replicas}
            x-autonomy:
              healthcheck:
                http: /health
                interval: 200ms
                start_interval: 100ms
                retries: 1
        {Indent(autonomy, 6)}

        """;

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : new string(' ', spaces) + l));

    public static Dictionary<string, string> Files => new() { ["app.py"] = Script };

    /// <summary>Waits until the gateway has <paramref name="count"/> destinations of <paramref name="service"/> in rotation.</summary>
    public static async Task WaitForDestinationsAsync(HttpGateway gateway, string service, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (gateway.Destinations(service).Count != count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{service} has {gateway.Destinations(service).Count} destinations in rotation, not {count}");
            await Task.Delay(50);
        }
    }

    public static async Task<Seen> GetAsync(HttpClient client, string url, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (host is not null)
        {
            request.Headers.Host = host;
        }
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Seen>())!;
    }

    public sealed record Seen(
        [property: JsonPropertyName("instance")] string Instance,
        [property: JsonPropertyName("method")] string Method,
        [property: JsonPropertyName("path")] string Path,
        [property: JsonPropertyName("host")] string? Host,
        [property: JsonPropertyName("request_id")] string? RequestId,
        [property: JsonPropertyName("traceparent")] string? TraceParent,
        [property: JsonPropertyName("frontend")] string? Frontend);
}
