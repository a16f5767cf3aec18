using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Cli;

/// <summary>
/// Mistakes a user or a script makes, through the CLI and the HTTP API: each gets a clear message
/// (problem+json with a stable type from the API), an exit code that says it failed, and never a stack trace.
/// </summary>
public sealed class FailurePathTests : IAsyncLifetime
{
    private readonly TempProject _project = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Repository.RunAutonomyAsync(_project.Directory, ["down"]);
        _project.Dispose();
    }

    private Task<CommandResult> Run(params string[] args) => Repository.RunAutonomyAsync(_project.Directory, args);

    private static void AssertFailsWith(CommandResult result, string message, int exitCode = 1)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerbsNameTheServiceOrValueThatIsWrong()
    {
        _project.Write("compose.yaml", "name: mistakes\nservices:\n  web:\n    command: sleep 300\n");
        Assert.Equal(0, (await Run("up", "-d")).ExitCode);

        AssertFailsWith(await Run("restart", "nope"), "no service 'nope' runs in this project");
        AssertFailsWith(await Run("scale", "nope=2"), "no service 'nope' runs in this project");
        AssertFailsWith(await Run("scale", "web=-1"), "'web=-1' is not SERVICE=N");
        AssertFailsWith(await Run("logs", "web", "nope"), "no service 'nope' runs in this project");
        AssertFailsWith(await Run("run", "nope", "true"), "no service 'nope' in the project (services: web)");
        AssertFailsWith(await Run("logs", "--tail", "-3"), "--tail is '-3'; give a whole number of lines (0 or more) or 'all'", exitCode: 2);
        AssertFailsWith(await Run("ps", "--format", "yaml"), "see 'autonomy ps --help'", exitCode: 2);
        AssertFailsWith(await Run("bogus"), "Unrecognized command or argument 'bogus'", exitCode: 2);
    }

    [Fact]
    public async Task ApiErrorsAreProblemJsonWithAStableType()
    {
        _project.Write("compose.yaml", "name: api\nservices:\n  web:\n    command: sleep 300\n");
        Assert.Equal(0, (await Run("up", "-d")).ExitCode);
        var state = Path.Combine(_project.Directory, ".autonomy", "api");
        using var record = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(state, "server.json")));
        var port = record.RootElement.GetProperty("port").GetInt32();
        var token = (await File.ReadAllTextAsync(Path.Combine(state, "admin-token"))).Trim();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        async Task<JsonElement> Problem(HttpRequestMessage request, HttpStatusCode status, string type)
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
            var problem = JsonDocument.Parse(body).RootElement.Clone();
            Assert.Equal($"urn:autonomy:problem:{type}", problem.GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
            return problem;
        }
        HttpRequestMessage Call(HttpMethod method, string path, string? body = null, string? bearer = null)
        {
            var request = new HttpRequestMessage(method, path);
            if ((bearer ?? token) is { Length: > 0 } t)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", t);
            }
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }
            return request;
        }

        using (var healthz = await http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        }
        await Problem(Call(HttpMethod.Get, "/v1/services", bearer: ""), HttpStatusCode.Unauthorized, "unauthorized");
        await Problem(Call(HttpMethod.Get, "/v1/services", bearer: "not-the-token"), HttpStatusCode.Unauthorized, "unauthorized");
        await Problem(Call(HttpMethod.Post, "/v1/services/nope/restart"), HttpStatusCode.NotFound, "unknown-service");
        await Problem(Call(HttpMethod.Get, "/v1/nothing"), HttpStatusCode.NotFound, "not-found");
        await Problem(Call(HttpMethod.Delete, "/v1/services"), HttpStatusCode.MethodNotAllowed, "method-not-allowed");
        await Problem(Call(HttpMethod.Post, "/v1/services/web/scale", """{"replicas": 5000}"""), HttpStatusCode.BadRequest, "invalid-replicas");
        var wrongType = await Problem(Call(HttpMethod.Post, "/v1/services/web/scale", """{"replicas": "three"}"""), HttpStatusCode.BadRequest, "invalid-body");
        Assert.Contains("$.replicas", wrongType.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Autonomy.Server", wrongType.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var broken = await Problem(Call(HttpMethod.Post, "/v1/services/web/scale", "{replicas"), HttpStatusCode.BadRequest, "invalid-body");
        Assert.Contains("line 1", broken.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var missing = await Problem(Call(HttpMethod.Post, "/v1/services/web/scale"), HttpStatusCode.BadRequest, "invalid-body");
        Assert.Contains("needs a JSON body", missing.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Problem(Call(HttpMethod.Get, "/v1/logs?tail=-1"), HttpStatusCode.BadRequest, "invalid-tail");

        // None of it changed anything.
        var ps = await Run("ps", "--format", "json");
        var web = JsonDocument.Parse(ps.StandardOutput).RootElement.EnumerateArray().Single();
        Assert.Equal(1, web.GetProperty("replicas").GetArrayLength());
    }

    [Fact]
    public async Task UpWithABrokenFileNamesThePlaceAndStartsNothing()
    {
        _project.Write("compose.yaml", "name: broken\nservices:\n  web:\n    command: sleep 300\n    restart: sometimes\n");
        var up = await Run("up", "-d");
        AssertFailsWith(up, "compose.yaml:5:");
        Assert.Contains("sometimes", up.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_project.Directory, ".autonomy", "broken", "server.json")));
    }

    [Fact]
    public async Task UpWithAProgramThatIsNotInstalledNamesItAndWhereItCameFrom()
    {
        _project.Write("compose.yaml", "name: missing\nservices:\n  web:\n    command: [\"no-such-program-here\", \"--serve\"]\n");
        var up = await Run("up", "-d");
        AssertFailsWith(up, "error: service 'web': the program 'no-such-program-here' (from the service's command at ");
        Assert.Contains("compose.yaml:4:14)", up.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("the server stopped", up.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_project.Directory, ".autonomy", "missing", "server.json")));
    }
}
