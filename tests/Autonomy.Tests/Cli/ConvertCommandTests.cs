using System.Text.Json.Nodes;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Cli;

/// <summary><c>autonomy convert</c> run through the launcher, as a user runs it.</summary>
public sealed class ConvertCommandTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public async Task PrintsTheFlaskExampleAsJsonInComposeConfigShapes()
    {
        var result = await Repository.RunAutonomyAsync(Repository.Root, ["convert", "-f", "examples/flask/compose.yaml", "--profile", "backing", "--format", "json"],
            new Dictionary<string, string?> { ["WEB_PORT"] = "9000" });
        Assert.True(result.ExitCode == 0, result.ToString());
        var model = JsonNode.Parse(result.StandardOutput)!;
        var web = model["services"]!["web"]!;
        Assert.Equal("myservice", (string)model["name"]!);
        Assert.Equal(8080, (int)web["ports"]![0]!["target"]!);
        Assert.Equal("9000", (string)web["ports"]![0]!["published"]!);
        Assert.Equal("service_healthy", (string)web["depends_on"]!["db"]!["condition"]!);
        Assert.False((bool)web["depends_on"]!["db"]!["required"]!);
        Assert.Equal(Path.Combine(Repository.Root, "examples/flask"), (string)web["build"]!["context"]!);
        Assert.Equal(["CMD", "curl", "-f", "http://localhost:8080/health"], web["healthcheck"]!["test"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public async Task PrintsYamlByDefault()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    command: python3 -m http.server\n    environment:\n      VERSION: \"1.0\"\n      ENABLED: \"true\"\n");
        var result = await Repository.RunAutonomyAsync(_project.Directory, ["convert"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("    command:\n    - python3\n    - -m\n    - http.server\n", result.StandardOutput);
        // Text that looks like a number or a boolean stays text.
        Assert.Contains("VERSION: \"1.0\"", result.StandardOutput);
        Assert.Contains("ENABLED: \"true\"", result.StandardOutput);
    }

    [Fact]
    public async Task QuietOnlyValidates()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    command: run\n");
        var result = await Repository.RunAutonomyAsync(_project.Directory, ["convert", "-q"]);
        Assert.Equal((0, ""), (result.ExitCode, result.StandardOutput));
    }

    [Fact]
    public async Task ErrorsGoToStandardErrorWithTheirPlaceAndNoStackTrace()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    command: run\n    deploy:\n      replicas: three\n    depends_on: [dbb]\n  db:\n    command: run\n");
        var result = await Repository.RunAutonomyAsync(_project.Directory, ["convert"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.StandardOutput);
        Assert.Contains("compose.yaml:5:17: error: services.web.deploy.replicas must be a whole number, not 'three'", result.StandardError);
        Assert.Contains("compose.yaml:6:18: error: the service 'web' refers to 'dbb'", result.StandardError);
        Assert.Contains("2 errors; nothing was changed.", result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
    }

    [Fact]
    public async Task ProfileAndEnvFileOptions()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    image: app:${TAG}\n  debug:\n    command: run\n    profiles: [debug]\n");
        _project.Write("ci.env", "TAG=ci\n");
        var result = await Repository.RunAutonomyAsync(_project.Directory, ["convert", "--env-file", "ci.env", "--profile", "debug", "--format", "json"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var services = JsonNode.Parse(result.StandardOutput)!["services"]!.AsObject();
        Assert.Equal(["debug", "web"], services.Select(s => s.Key));
        Assert.Equal("app:ci", (string)services["web"]!["image"]!);
    }

    [Fact]
    public async Task SeveralFilesMergeInOrder()
    {
        _project.Write("a.yaml", "services:\n  web:\n    command: run\n    environment: {A: \"1\"}\n");
        _project.Write("b.yaml", "services:\n  web:\n    environment: {A: \"2\"}\n");
        var result = await Repository.RunAutonomyAsync(_project.Directory, ["convert", "-f", "a.yaml", "-f", "b.yaml", "--format", "json", "-p", "merged"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var model = JsonNode.Parse(result.StandardOutput)!;
        Assert.Equal(("merged", "2"), ((string)model["name"]!, (string)model["services"]!["web"]!["environment"]!["A"]!));
    }

    [Fact]
    public async Task WarningsDoNotFailTheCommand()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    command: run\n    privileged: true\n");
        var result = await Repository.RunAutonomyAsync(_project.Directory, ["convert", "-q"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("compose.yaml:4:5: warning: 'privileged' (in web) has no effect", result.StandardError);
    }

    [Fact]
    public async Task NotesWhereAnAbsoluteWorkdirEndsUp()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    build: ./web\n");
        _project.Write("web/Dockerfile", "FROM python:3.11\nWORKDIR /app\nCMD [\"python3\", \"app.py\"]\n");
        var result = await Repository.RunAutonomyAsync(_project.Directory, ["convert", "-q"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"note: service 'web': its Dockerfile's WORKDIR /app is the build context {_project.PathOf("web")}", result.StandardError);
    }

    [Fact]
    public async Task BadFlagIsAClearError()
    {
        var result = await Repository.RunAutonomyAsync(_project.Directory, ["convert", "--format", "xml"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("xml", result.StandardError);
    }

    [Fact]
    public async Task VersionIsPrinted()
    {
        var result = await Repository.RunAutonomyAsync(_project.Directory, ["--version"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.StandardOutput);
    }
}
