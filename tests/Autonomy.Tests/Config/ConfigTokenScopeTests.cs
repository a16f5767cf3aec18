using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Config;

/// <summary>A replica's own token, used from inside the replica: its namespace to read and write, shared to read, nothing else.</summary>
public sealed class ConfigTokenScopeTests
{
    private const string Probe = """
        import json, os, urllib.request, urllib.error
        def call(method, path, body=None):
            request = urllib.request.Request(os.environ["AUTONOMY_URL"] + path, method=method, data=body,
                headers={"Authorization": "Bearer " + os.environ["AUTONOMY_TOKEN"]})
            try:
                with urllib.request.urlopen(request) as response:
                    return str(response.status)
            except urllib.error.HTTPError as e:
                kind = json.loads(e.read()).get("type", "").rsplit(":", 1)[-1]
                return f"{e.code}:{kind}"
        results = [
            call("PUT", "/v1/config/probe/keys/Mode", b"fast"),
            call("GET", "/v1/config/probe/keys/Mode"),
            call("GET", "/v1/config/probe"),
            call("GET", "/v1/config/shared"),
            call("PUT", "/v1/config/shared/keys/Mode", b"x"),
            call("GET", "/v1/config/other"),
            call("PUT", "/v1/config/other/keys/Mode", b"x"),
            call("GET", "/v1/config"),
            call("PUT", "/v1/config/newspace"),
        ]
        with open("results.txt", "w") as f:
            f.write(" ".join(results) + "\n")
        import time; time.sleep(300)
        """;

    [Fact]
    public async Task AReplicaReadsAndWritesItsOwnNamespaceAndReadsShared()
    {
        await using var server = await RunningServer.StartAsync("name: scope\nservices:\n  probe:\n    command: [\"python3\", \"probe.py\"]\n  other:\n    command: sleep 300\n",
            new Dictionary<string, string> { ["probe.py"] = Probe });
        var results = server.Files.PathOf("results.txt");
        await RunningProject.WaitUntilAsync(() => File.Exists(results) && File.ReadAllText(results).EndsWith('\n'), "the probe wrote its results", TimeSpan.FromSeconds(30));

        Assert.Equal("200 200 200 200 403:forbidden 403:forbidden 403:forbidden 403:forbidden 403:forbidden", File.ReadAllText(results).Trim());
        var history = JsonDocument.Parse(await server.Http.GetStringAsync("/v1/config/probe/history?key=Mode")).RootElement;
        Assert.StartsWith("probe/probe-", history[0].GetProperty("author").GetString(), StringComparison.Ordinal);
    }
}
