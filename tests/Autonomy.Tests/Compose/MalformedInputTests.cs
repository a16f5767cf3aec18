using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Compose;

/// <summary>Inputs that once crashed a loader: each must be a located error, never an exception.</summary>
public sealed class MalformedInputTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Theory]
    [InlineData("services:\n  web:\n    image: x\n    ports: [80, 81\n  db:\n    image: y\n")]
    [InlineData("services:\n  web:\n    command: run\n    restart: on-failure:99999999999\n")]
    [InlineData("services:\n  web:\n    command: run\n    secrets: [{source: s, mode: 07777777777777777777777777}]\nsecrets:\n  s: {file: ./s}\n")]
    [InlineData("services:\n  web:\n    command: run\n    volumes: [\"./a\\0b:/x\"]\n")]
    [InlineData("services:\n  web:\n    command: run\n    healthcheck: {test: [\"CMD\", \"true\"], interval: 99999999999999999999999h}\n")]
    [InlineData("services:\n  web:\n    command: {run: now}\n")]
    [InlineData("services:\n  web:\n    depends_on: db\n")]
    [InlineData("services:\n  web:\n    ports: [\"99999:80\"]\n")]
    [InlineData("services:\n  web:\n    image: x\n    ref: *nope\n")]
    public void IsALocatedError(string yaml)
    {
        _project.Write("compose.yaml", yaml);
        var errors = _project.Errors();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.True(e.Line > 0, $"no line for: {e.Message}"));
    }

    [Fact]
    public void DeepNestingIsRefused()
    {
        _project.Write("compose.yaml", "x-deep: " + new string('[', 20_000) + new string(']', 20_000) + "\nservices: {}\n");
        Assert.Contains("levels deep", Assert.Single(_project.Errors()).Message);
    }

    [Fact]
    public void ExcessiveAliasingIsRefused()
    {
        var yaml = "x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
        for (var i = 1; i <= 8; i++)
        {
            yaml += $"x-a{i}: &a{i} [" + string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10)) + "]\n";
        }
        _project.Write("compose.yaml", yaml + "services: {}\n");
        Assert.Contains("aliasing", Assert.Single(_project.Errors()).Message);
    }

    [Fact]
    public void IncludedNameDoesNotBecomeTheProjectName()
    {
        _project.Write("sub/compose.yaml", "name: subproject\nservices:\n  sub:\n    command: run\n");
        _project.Write("main/compose.yaml", "include: [../sub/compose.yaml]\nservices:\n  web:\n    command: run\n");
        Assert.Equal("main", _project.Load(["main/compose.yaml"]).Name);
    }

    [Fact]
    public void NestedResetAndSectionOverride()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    command: run\n    deploy: {replicas: 3}\n    depends_on: [cache]\n  cache:\n    command: run\nvolumes:\n  a: {}\n");
        _project.Write("override.yaml", "services:\n  web:\n    deploy: {replicas: !reset null}\n    depends_on: {cache: !reset null}\nvolumes: !override\n  b: {}\n");
        var project = _project.Load(["compose.yaml", "override.yaml"]);
        var web = project.FindService("web")!;
        Assert.Equal(1, web.Replicas);
        Assert.Empty(web.DependsOn);
        Assert.Equal(["b"], project.Volumes.Keys);
    }

    [Fact]
    public void SameUniqueKeyReplacesTheWholeEntry()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    command: run\n    volumes: [{type: volume, source: data, target: /d, read_only: true}]\nvolumes:\n  data: {}\n");
        _project.Write("override.yaml", "services:\n  web:\n    volumes: [\"./host:/d\"]\n");
        var mount = Assert.Single(_project.Load(["compose.yaml", "override.yaml"]).FindService("web")!.Volumes);
        Assert.Equal(new Autonomy.Server.Compose.Model.VolumeMount("bind", _project.PathOf("host"), "/d", false), mount);
    }

    [Theory]
    [InlineData(":8080:80", null, "8080")]
    [InlineData("::1:8080:80", "::1", "8080")]
    [InlineData("8080:80/TCP", null, "8080")]
    public void PortFormsDockerAccepts(string spec, string? ip, string published)
    {
        _project.Write("compose.yaml", $"services:\n  web:\n    command: run\n    ports: [\"{spec}\"]\n");
        var port = Assert.Single(_project.Load().FindService("web")!.Ports);
        Assert.Equal((ip, published, 80, "tcp"), (port.HostIp, port.Published, port.Target, port.Protocol));
    }

    [Fact]
    public void ParentVariablesWinOverAnIncludesEnvFile()
    {
        _project.Write(".env", "V=fromparent\n");
        _project.Write("sub/.env", "V=fromsub\nONLY_SUB=sub\n");
        _project.Write("sub/compose.yaml", "services:\n  sub:\n    command: run ${V} ${ONLY_SUB}\n");
        _project.Write("compose.yaml", "include: [sub/compose.yaml]\n");
        Assert.Equal(["run", "fromparent", "sub"], _project.Load().FindService("sub")!.Command);
    }
}
