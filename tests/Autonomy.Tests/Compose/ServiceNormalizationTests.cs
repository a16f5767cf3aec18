using Autonomy.Server.Compose.Model;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Compose;

/// <summary>Short forms become the long forms of the model, with the spec's defaults.</summary>
public sealed class ServiceNormalizationTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    private ServiceDefinition Service(string body, string extra = "")
    {
        _project.Write("compose.yaml", "services:\n  web:\n" + string.Join("\n", body.Split('\n').Select(l => "    " + l)) + "\n" + extra);
        return _project.Load().FindService("web")!;
    }

    [Theory]
    [InlineData("\"3000\"", 3000, null, null, "tcp")]
    [InlineData("\"8080:80\"", 80, "8080", null, "tcp")]
    [InlineData("\"127.0.0.1:8001:8001\"", 8001, "8001", "127.0.0.1", "tcp")]
    [InlineData("\"127.0.0.1::5000\"", 5000, null, "127.0.0.1", "tcp")]
    [InlineData("\"6060:6060/udp\"", 6060, "6060", null, "udp")]
    [InlineData("\"[::1]:6001:6001\"", 6001, "6001", "::1", "tcp")]
    [InlineData("80", 80, null, null, "tcp")]
    [InlineData("{target: 80, published: 8080, host_ip: 127.0.0.1, protocol: udp}", 80, "8080", "127.0.0.1", "udp")]
    public void PortForms(string yaml, int target, string? published, string? hostIp, string protocol)
    {
        var port = Assert.Single(Service($"command: run\nports:\n  - {yaml}").Ports);
        Assert.Equal(new PortMapping(target, published, hostIp, protocol, "ingress"), port);
    }

    [Fact]
    public void PortRangesExpandPortForPort()
    {
        var ports = Service("command: run\nports: [\"9090-9091:8080-8081\"]").Ports;
        Assert.Equal([(8080, "9090"), (8081, "9091")], ports.Select(p => (p.Target, p.Published)));
    }

    [Fact]
    public void PortRangesOfDifferentLengthsAreAnError()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    command: run\n    ports: [\"9090-9092:8080-8081\"]\n");
        Assert.Contains("another length", Assert.Single(_project.Errors()).Message);
    }

    [Fact]
    public void VolumeForms()
    {
        var volumes = Service("command: run\nvolumes:\n  - data:/var/data\n  - ./logs:/logs:ro\n  - /abs:/abs\n  - ~/cache:/cache\n  - /anonymous\n  - type: bind\n    source: conf\n    target: /conf",
            "volumes:\n  data:\n").Volumes;
        Assert.Equal(
        [
            new VolumeMount("volume", "data", "/var/data", false),
            new VolumeMount("bind", _project.PathOf("logs"), "/logs", true),
            new VolumeMount("bind", "/abs", "/abs", false),
            new VolumeMount("bind", "/home/test/cache", "/cache", false),
            new VolumeMount("volume", null, "/anonymous", false),
            new VolumeMount("bind", _project.PathOf("conf"), "/conf", false),
        ], volumes);
    }

    [Fact]
    public void CommandTextIsSplitAsAShellWould()
    {
        var web = Service("command: sh -c 'echo \"a b\"' \"c d\" e\\ f\nentrypoint: [\"/bin/tini\", \"--\"]");
        Assert.Equal(["sh", "-c", "echo \"a b\"", "c d", "e f"], web.Command);
        Assert.Equal(["/bin/tini", "--"], web.Entrypoint);
    }

    [Fact]
    public void HealthCheckDefaultsAreTheDockerfiles()
    {
        var check = Service("command: run\nhealthcheck:\n  test: curl -f http://localhost/health").HealthCheck!;
        Assert.Equal(["CMD-SHELL", "curl -f http://localhost/health"], check.Test);
        Assert.Equal(new HealthCheckDefinition { Test = check.Test }, check);
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), 3, TimeSpan.Zero, TimeSpan.FromSeconds(5)),
            (check.Interval, check.Timeout, check.Retries, check.StartPeriod, check.StartInterval));
    }

    [Fact]
    public void HealthCheckTimings()
    {
        var check = Service("command: run\nhealthcheck:\n  test: [\"CMD\", \"true\"]\n  interval: 1m30s\n  timeout: 500ms\n  retries: 5\n  start_period: 2s\n  start_interval: 1s").HealthCheck!;
        Assert.Equal((TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500), 5, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)),
            (check.Interval, check.Timeout, check.Retries, check.StartPeriod, check.StartInterval));
        Assert.Equal("1m30s", (string)Service("command: run\nhealthcheck:\n  test: [\"CMD\", \"true\"]\n  interval: 90s").Attributes["healthcheck"]!["interval"]!);
    }

    [Theory]
    [InlineData("disable: true")]
    [InlineData("test: [\"NONE\"]")]
    [InlineData("test: NONE")]
    public void HealthCheckCanBeTurnedOff(string yaml) => Assert.True(Service($"command: run\nhealthcheck:\n  {yaml}").HealthCheck!.Disabled);

    [Fact]
    public void HealthTestMustSayHowItRuns()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    command: run\n    healthcheck:\n      test: [\"curl\", \"x\"]\n");
        var error = Assert.Single(_project.Errors());
        Assert.Equal(5, error.Line);
        Assert.Contains("CMD, CMD-SHELL or NONE", error.Message);
    }

    [Theory]
    [InlineData("restart: \"no\"", RestartKind.No, null)]
    [InlineData("restart: always", RestartKind.Always, null)]
    [InlineData("restart: unless-stopped", RestartKind.UnlessStopped, null)]
    [InlineData("restart: on-failure", RestartKind.OnFailure, null)]
    [InlineData("restart: on-failure:4", RestartKind.OnFailure, 4)]
    [InlineData("deploy: {restart_policy: {condition: on-failure, max_attempts: 3}}", RestartKind.OnFailure, 3)]
    [InlineData("deploy: {restart_policy: {condition: any}}", RestartKind.Always, null)]
    public void RestartPolicies(string yaml, RestartKind kind, int? attempts)
    {
        var restart = Service($"command: run\n{yaml}").Restart;
        Assert.Equal((kind, attempts), (restart.Kind, restart.MaxAttempts));
    }

    [Fact]
    public void RestartPolicyDelayAndWindow()
    {
        var restart = Service("command: run\ndeploy:\n  restart_policy: {condition: on-failure, delay: 5s, window: 2m}").Restart;
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(2)), (restart.Delay!.Value, restart.Window!.Value));
    }

    [Fact]
    public void ReplicasFromDeployOrScale()
    {
        Assert.Equal(3, Service("command: run\ndeploy: {replicas: 3}").Replicas);
        Assert.Equal(2, Service("command: run\nscale: 2").Replicas);
        Assert.Equal(1, Service("command: run").Replicas);
    }

    [Fact]
    public void BuildShortAndLongForms()
    {
        _project.Write("app/Dockerfile.dev", "FROM scratch\n");
        var build = Service("build: ./app").Build!;
        Assert.Equal(new BuildDefinition { Context = _project.PathOf("app"), Dockerfile = "Dockerfile", Args = build.Args }, build);
        var longForm = Service("build:\n  context: app\n  dockerfile: Dockerfile.dev\n  args: [VERSION=1]\n  target: dev").Build!;
        Assert.Equal((_project.PathOf("app"), "Dockerfile.dev", "dev", "1"), (longForm.Context, longForm.Dockerfile, longForm.Target, longForm.Args["VERSION"]));
    }

    [Fact]
    public void EveryRelativePathIsMadeAbsolute()
    {
        var web = Service("command: run\nlabel_file: ./labels\ndevelop:\n  watch: [{path: ./src, action: sync, target: /app}]\nbuild:\n  context: .\n  additional_contexts: {lib: ../lib, img: \"docker-image://alpine\"}");
        Assert.Equal(_project.PathOf("labels"), (string)web.Attributes["label_file"]![0]!);
        Assert.Equal(_project.PathOf("src"), (string)web.Attributes["develop"]!["watch"]![0]!["path"]!);
        Assert.Equal(Path.GetFullPath(Path.Combine(_project.Directory, "../lib")), (string)web.Attributes["build"]!["additional_contexts"]!["lib"]!);
        Assert.Equal("docker-image://alpine", (string)web.Attributes["build"]!["additional_contexts"]!["img"]!);
    }

    [Fact]
    public void StopSettingsAndLabels()
    {
        var web = Service("command: run\nstop_grace_period: 1m\nstop_signal: SIGINT\nlabels: [a=b]");
        Assert.Equal((TimeSpan.FromMinutes(1), "SIGINT", "b"), (web.StopGracePeriod, web.StopSignal, web.Labels["a"]));
        var defaults = Service("command: run");
        Assert.Equal((TimeSpan.FromSeconds(10), "SIGTERM"), (defaults.StopGracePeriod, defaults.StopSignal));
    }

    [Fact]
    public void SecretsAndConfigsLongFormWithOctalMode()
    {
        var web = Service("command: run\nsecrets:\n  - source: token\n    target: api_token\n    mode: 0400\nconfigs: [settings]",
            "secrets:\n  token: {file: ./token.txt}\nconfigs:\n  settings: {content: \"a=1\"}\n");
        Assert.Equal(new FileReference("token", "api_token", null, null, 256), web.Secrets.Single());
        Assert.Equal(new FileReference("settings", null, null, null, null), web.Configs.Single());
    }

    [Fact]
    public void ExtensionFieldsAreKept()
    {
        var web = Service("command: run\nx-autonomy:\n  healthcheck: {http: /health}");
        Assert.Equal("/health", (string)web.Extensions["x-autonomy"]!["healthcheck"]!["http"]!);
    }

    [Fact]
    public void ContainerOnlyFieldsWarnOncePerField()
    {
        _project.Write("compose.yaml", """
            services:
              a:
                command: run
                cap_add: [NET_ADMIN]
                cpus: 0.5
              b:
                command: run
                cap_add: [SYS_TIME]
            """);
        var project = _project.Load();
        Assert.Equal(2, project.Warnings.Count);
        var capAdd = Assert.Single(project.Warnings, w => w.Path == "cap_add");
        Assert.Contains("(in a, b)", capAdd.Message);
        Assert.Equal(4, capAdd.Line);
        Assert.Equal(["NET_ADMIN"], project.FindService("a")!.Attributes["cap_add"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public void WrongTypesAreReportedForEveryKind()
    {
        _project.Write("compose.yaml", """
            services:
              web:
                command: {run: now}
                privileged: maybe
                cpus: many
                mem_limit: lots
                stop_grace_period: forever
                dns: {a: b}
                environment: 3
                depends_on: 7
                ports: "80"
            """);
        var errors = _project.Errors();
        Assert.Equal([3, 4, 5, 6, 7, 8, 9, 10, 11], errors.Select(e => e.Line));
        Assert.All(errors, e => Assert.StartsWith("services.web.", e.Message, StringComparison.Ordinal));
    }
}
