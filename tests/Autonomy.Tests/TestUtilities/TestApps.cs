namespace Autonomy.Tests.TestUtilities;

/// <summary>Small real services the runtime tests run (Python's standard library only).</summary>
public static class TestApps
{
    /// <summary>
    /// An HTTP service on $PORT: "/" answers its AUTONOMY_INSTANCE, "/health" answers 200 unless a
    /// file "&lt;instance&gt;.sick" exists in its working directory (then 503), "/env/NAME" answers a variable.
    /// </summary>
    public const string HttpApp = """
        import http.server, os, sys
        instance = os.environ.get("AUTONOMY_INSTANCE", "?")
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass
            def do_GET(self):
                if self.path == "/health":
                    code = 503 if os.path.exists(instance + ".sick") else 200
                    body = b"sick" if code == 503 else b"ok"
                elif self.path.startswith("/env/"):
                    code, body = 200, os.environ.get(self.path[5:], "<unset>").encode()
                else:
                    code, body = 200, instance.encode()
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        print("listening on", os.environ["PORT"], flush=True)
        http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """;

    /// <summary>A compose service entry that runs <see cref="HttpApp"/> (written to app.py) with a native HTTP health check.</summary>
    public static string HttpService(string name, string extra = "") => $"""
          {name}:
            command: ["python3", "app.py"]
            x-autonomy:
              healthcheck:
                http: /health
                interval: 200ms
                start_interval: 100ms
                retries: 2
        {extra}
        """;
}
