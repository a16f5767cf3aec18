using System.Net;
using System.Text;
using Autonomy.Server.Runtime.Supervision;
using Autonomy.Server.Secrets;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Secrets;

/// <summary>Secrets reach each replica as files (file, environment and stored sources), with their modes and links, and follow changes while it runs.</summary>
public sealed class SecretDeliveryTests
{
    // A PEM key with what copying tends to damage: CRLF inside, no newline at the end, and a byte outside ASCII.
    private const string Pem = "-----BEGIN EC PRIVATE KEY-----\r\nMHcCAQEEIBkR0nQh3vW9vP+2d8kZ\nAoGBAMx/é==\n-----END EC PRIVATE KEY-----";

    // Writes, once, every file of its secrets folder (name, mode, content in hex) and what the linked target reads.
    private const string App = """
        import os, stat, time
        folder = os.environ["AUTONOMY_SECRETS_DIR"]
        lines = []
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            lines.append("%s %o %s" % (name, stat.S_IMODE(os.stat(path).st_mode), open(path, "rb").read().hex()))
        if os.path.exists("certs/key.pem"):
            lines.append("link %s" % open("certs/key.pem", "rb").read().hex())
        with open(os.environ["AUTONOMY_INSTANCE"] + ".tmp", "w") as out:
            out.write("\n".join(lines) + "\n")
        os.rename(os.environ["AUTONOMY_INSTANCE"] + ".tmp", os.environ["AUTONOMY_INSTANCE"] + ".seen")
        time.sleep(300)
        """;

    private const string Compose = """
        name: deliver
        services:
          app:
            command: ["python3", "app.py"]
            secrets:
              - db_password
              - source: tls_key
                target: certs/key.pem
                mode: 0440
              - api_token
          plain:
            command: sleep 300
        secrets:
          db_password:
            environment: DB_PASSWORD
          tls_key:
            file: ./key.pem
          api_token:
            external: true
            name: payments_api_token
          unused:
            external: true
        """;

    private static Task<RunningServer> StartAsync(IReadOnlyDictionary<string, string>? environment = null) => RunningServer.StartAsync(Compose,
        new Dictionary<string, string> { ["app.py"] = App, ["key.pem"] = Pem, [".env"] = "DB_PASSWORD=\"p@ss word\"\n" },
        prepare: state => SecretStore.OpenIn(state, environment ?? new Dictionary<string, string>()).Set("payments_api_token", "tok_live_1\n"u8, "admin"),
        environment: environment);

    [Fact]
    public async Task EachReplicaGetsItsSecretsAsFilesWithTheirModesAndLinks()
    {
        var key = MasterKey.Generate();
        var environment = new Dictionary<string, string> { [MasterKeySource.KeyVariable] = key.Base64 };
        await using var server = await StartAsync(environment);
        var seen = await SeenAsync(server, "app-1");

        Assert.Equal(
        [
            $"api_token 400 {Hex("tok_live_1\n")}",
            $"db_password 400 {Hex("p@ss word")}",
            $"key.pem 440 {Hex(Pem)}",
            $"link {Hex(Pem)}",
        ], seen);

        var app = Environ(server, "app-1");
        var folder = app["AUTONOMY_SECRETS_DIR"];
        Assert.Equal(server.Plane.Supervisor.SecretFiles.ReplicaFolder("app-1"), folder);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(server.Plane.Supervisor.SecretFiles.Root));
        if (SecretsFolder.MemoryBase(environment) is { } memory)
        {
            Assert.StartsWith(memory + "/", folder, StringComparison.Ordinal);
        }
        Assert.Equal(Path.Combine(server.Plane.Supervisor.SecretFiles.ServiceFolder("app"), "key.pem"), new FileInfo(server.Files.PathOf("certs/key.pem")).LinkTarget);
        // The platform's key never reaches a service, and no value is in any replica's environment.
        Assert.DoesNotContain(MasterKeySource.KeyVariable, app.Keys);
        Assert.DoesNotContain(app.Values, v => v.Contains("p@ss word", StringComparison.Ordinal) || v.Contains("tok_live_1", StringComparison.Ordinal));

        // A service with no secrets still has its (empty) folder.
        var plain = Environ(server, "plain-1")["AUTONOMY_SECRETS_DIR"];
        Assert.Empty(Directory.GetFileSystemEntries(plain));

        // Gone with the replica, and everything gone with the server.
        await server.Plane.Supervisor.ScaleAsync("app", 0);
        Assert.False(Directory.Exists(folder));
        Assert.False(Directory.Exists(server.Plane.Supervisor.SecretFiles.ServiceFolder("app")));
        var root = server.Plane.Supervisor.SecretFiles.Root;
        await server.StopAsync();
        Assert.False(Directory.Exists(root));
    }

    [Fact]
    public async Task AChangedSecretIsDeliveredAgainAndOnlyGrantedReplicasMayReadIt()
    {
        await using var server = await StartAsync();
        await SeenAsync(server, "app-1");
        var file = Path.Combine(server.Plane.Supervisor.SecretFiles.ReplicaFolder("app-1"), "api_token");
        var pid = server.Plane.Supervisor.Status().Single(s => s.Name == "app").Replicas[0].Pid;

        using (var put = await server.Http.PutAsync("/v1/secrets/payments_api_token", new ByteArrayContent("tok_live_2"u8.ToArray())))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        Assert.Equal("tok_live_2", File.ReadAllText(file));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(file));
        Assert.Equal(pid, server.Plane.Supervisor.Status().Single(s => s.Name == "app").Replicas[0].Pid);
        await RunningProject.WaitUntilAsync(() => server.Plane.Supervisor.TailLogs("app", 100).Any(l => l.Text == "secret 'payments_api_token' changed: its file was replaced"), "the change is in the log");
        Assert.DoesNotContain(server.Plane.Supervisor.TailLogs(null, 1000), l => l.Text.Contains("tok_live", StringComparison.Ordinal));

        using var app = server.Client(Environ(server, "app-1")["AUTONOMY_TOKEN"]);
        Assert.Equal("tok_live_2", await app.GetStringAsync("/v1/secrets/payments_api_token"));
        using (var other = await app.GetAsync("/v1/secrets/unused"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        }
        foreach (var call in new[] { app.GetAsync("/v1/secrets"), app.GetAsync("/v1/secrets/payments_api_token/history"), app.PutAsync("/v1/secrets/payments_api_token", new StringContent("x")) })
        {
            using var response = await call;
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        using var plain = server.Client(Environ(server, "plain-1")["AUTONOMY_TOKEN"]);
        using (var refused = await plain.GetAsync("/v1/secrets/payments_api_token"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.DoesNotContain("tok_live", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // In use by a running service: not removed.
        using (var remove = await server.Http.DeleteAsync("/v1/secrets/payments_api_token"))
        {
            Assert.Equal(HttpStatusCode.Conflict, remove.StatusCode);
            Assert.Contains("'app' uses secret 'payments_api_token'", await remove.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private static async Task<string[]> SeenAsync(RunningServer server, string replica)
    {
        var path = server.Files.PathOf(replica + ".seen");
        await RunningProject.WaitUntilAsync(() => File.Exists(path), $"{replica} read its secrets");
        return File.ReadAllLines(path);
    }

    private static Dictionary<string, string> Environ(RunningServer server, string replica)
    {
        var pid = server.Plane.Supervisor.Status().SelectMany(s => s.Replicas).Single(r => r.Id == replica).Pid;
        return File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e[1], StringComparer.Ordinal);
    }

    private static string Hex(string text) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(text));
}
