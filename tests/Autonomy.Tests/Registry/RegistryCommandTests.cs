using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Registry;

/// <summary><c>autonomy registry</c> against a running project, as a user types it.</summary>
public sealed class RegistryCommandTests() : RunningCliProject("registrycli")
{
    protected override string Services => "  web:\n    command: sleep 300\n  worker:\n    command: sleep 300\n";

    [Fact]
    public async Task ListsTheInstancesAsATableOrJsonAndNamesABadService()
    {
        var table = await Ok("registry");
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["SERVICE", "ID", "ADDRESS", "HEALTH", "VERSION", "SOURCE"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^web\s+web-1\s+127\.0\.0\.1:\d+\s+passing\s+[0-9a-f]{16}\s+autonomy$", lines[1]);
        Assert.StartsWith("worker", lines[2], StringComparison.Ordinal);

        // An external instance that registered itself shows beside the replicas, with its own version.
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{JsonDocument.Parse(File.ReadAllText(Path.Combine(State, "server.json"))).RootElement.GetProperty("port").GetInt32()}") })
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", File.ReadAllText(Path.Combine(State, "admin-token")).Trim());
            using var registered = await http.PutAsync("/v1/registry/web/instances/vm-1",
                new StringContent("""{"address": "::1", "port": 9000, "version": "2.0"}""", System.Text.Encoding.UTF8, "application/json"));
            registered.EnsureSuccessStatusCode();
        }
        var web = await Ok("registry", "web", "--all");
        Assert.Contains(web.Split('\n'), l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^web\s+vm-1\s+\[::1\]:9000\s+passing\s+2\.0\s+external$"));

        var json = JsonDocument.Parse(await Ok("registry", "web", "--format", "json")).RootElement;
        Assert.Equal(["vm-1", "web-1"], json.EnumerateArray().Select(i => i.GetProperty("id").GetString()).Order());
        Assert.All(json.EnumerateArray(), i => Assert.Equal("passing", i.GetProperty("health").GetString()));

        var none = await Run("registry", "payments");
        Assert.Equal(0, none.ExitCode);
        Assert.Contains("no healthy instances of 'payments' are registered", none.StandardError, StringComparison.Ordinal);

        var bad = await Run("registry", "-x-");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("error: '-x-' is not a service name", bad.StandardError, StringComparison.Ordinal);
    }
}
