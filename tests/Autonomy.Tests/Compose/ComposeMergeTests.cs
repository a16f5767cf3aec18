using Autonomy.Server.Compose.Model;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Compose;

/// <summary>Several -f files merged by the spec's rules.</summary>
public sealed class ComposeMergeTests : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    private ServiceDefinition Merged(string baseYaml, string overrideYaml, string service = "web")
    {
        _project.Write("compose.yaml", baseYaml);
        _project.Write("compose.override.yaml", overrideYaml);
        return _project.Load(["compose.yaml", "compose.override.yaml"]).FindService(service)!;
    }

    [Fact]
    public void MappingsMergeKeyByKeyAndLaterValuesWin()
    {
        var web = Merged("""
            services:
              web:
                image: app:1
                environment: {A: "1", B: "2"}
                labels: [team=core]
            """, """
            services:
              web:
                image: app:2
                environment: [B=20, C=30]
                labels: {tier: front}
            """);
        Assert.Equal("app:2", web.Image);
        Assert.Equal(new Dictionary<string, string?> { ["A"] = "1", ["B"] = "20", ["C"] = "30" }, web.Environment);
        Assert.Equal(new Dictionary<string, string?> { ["team"] = "core", ["tier"] = "front" }, web.Labels);
    }

    [Fact]
    public void CommandEntrypointAndHealthTestAreReplacedNotAppended()
    {
        var web = Merged("""
            services:
              web:
                command: ["echo", "foo"]
                entrypoint: /bin/sh -c
                healthcheck: {test: ["CMD", "a"], retries: 5}
            """, """
            services:
              web:
                command: echo bar
                entrypoint: ["/entry"]
                healthcheck: {test: "b"}
            """);
        Assert.Equal(["echo", "bar"], web.Command);
        Assert.Equal(["/entry"], web.Entrypoint);
        Assert.Equal(["CMD-SHELL", "b"], web.HealthCheck!.Test);
        Assert.Equal(5, web.HealthCheck.Retries);
    }

    [Fact]
    public void SequencesAppendWithoutDuplicates()
    {
        var web = Merged("""
            services:
              web:
                command: run
                expose: ["80", "81"]
                dns: [1.1.1.1]
            """, """
            services:
              web:
                expose: ["81", "82"]
                dns: [8.8.8.8, 1.1.1.1]
            """);
        Assert.Equal(["80", "81", "82"], web.Expose);
        Assert.Equal(["1.1.1.1", "8.8.8.8"], web.Attributes["dns"]!.AsArray().Select(n => (string)n!));
    }

    [Fact]
    public void VolumesMergeByTargetPortsByTheirKey()
    {
        var web = Merged("""
            services:
              web:
                command: run
                volumes: ["foo:/work", "./logs:/logs"]
                ports: ["8080:80", "9090:90"]
            volumes: {foo: {}, bar: {}}
            """, """
            services:
              web:
                volumes: ["bar:/work"]
                ports: ["8080:80", "8443:443"]
            """);
        Assert.Equal([("bar", "/work"), (_project.PathOf("logs"), "/logs")], web.Volumes.Select(v => (v.Source, v.Target)));
        Assert.Equal([(80, "8080"), (90, "9090"), (443, "8443")], web.Ports.Select(p => (p.Target, p.Published)));
    }

    [Fact]
    public void ResetRemovesAndOverrideReplaces()
    {
        var web = Merged("""
            services:
              web:
                image: app
                command: run
                ports: ["8080:80"]
                environment: {FOO: bar, KEEP: "1"}
                depends_on: [db]
              db:
                command: run
              cache:
                command: run
            """, """
            services:
              web:
                ports: !reset []
                environment:
                  FOO: !reset null
                depends_on: !override
                  - cache
            """);
        Assert.Empty(web.Ports);
        Assert.Equal(new Dictionary<string, string?> { ["KEEP"] = "1" }, web.Environment);
        Assert.Equal(["cache"], web.DependsOn.Keys);
    }

    [Fact]
    public void DependsOnShortAndLongFormsMerge()
    {
        var web = Merged("""
            services:
              web:
                command: run
                depends_on: [db]
              db:
                command: run
              queue:
                command: run
            """, """
            services:
              web:
                depends_on:
                  db: {condition: service_healthy}
                  queue: {condition: service_completed_successfully, required: false}
            """);
        Assert.Equal(DependencyCondition.ServiceHealthy, web.DependsOn["db"].Condition);
        Assert.True(web.DependsOn["db"].Required);
        Assert.Equal(new ServiceDependency(DependencyCondition.ServiceCompletedSuccessfully, false, false), web.DependsOn["queue"]);
    }

    [Fact]
    public void LaterFileAddsServicesAndSections()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    command: run\n");
        _project.Write("extra.yaml", "services:\n  worker:\n    command: work\nvolumes:\n  data: {}\n");
        var project = _project.Load(["compose.yaml", "extra.yaml"]);
        Assert.Equal(["web", "worker"], project.Services.Select(s => s.Name));
        Assert.Contains("data", project.Volumes.Keys);
    }

    [Fact]
    public void RelativePathsOfEveryFileStartFromTheProjectDirectory()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    build: .\n");
        _project.Write("overrides/more.yaml", "services:\n  web:\n    env_file: [app.env]\n    volumes: [./data:/data]\n");
        _project.Write("app.env", "X=1\n");
        var web = _project.Load(["compose.yaml", "overrides/more.yaml"]).FindService("web")!;
        Assert.Equal(_project.Directory, web.Build!.Context);
        Assert.Equal(_project.PathOf("data"), web.Volumes[0].Source);
        Assert.Equal("1", web.Environment["X"]);
    }

    [Fact]
    public void DefaultFilesAreComposeYamlAndItsOverride()
    {
        _project.Write("compose.yaml", "services:\n  web:\n    command: run\n    environment: {A: base}\n");
        _project.Write("compose.override.yaml", "services:\n  web:\n    environment: {A: override}\n");
        var project = ComposeLoaderFor(_project.PathOf("sub"));
        Assert.Equal("override", project.FindService("web")!.Environment["A"]);
    }

    private ComposeProject ComposeLoaderFor(string workingDirectory)
    {
        Directory.CreateDirectory(workingDirectory);
        return Autonomy.Server.Compose.Loading.ComposeLoader.Load(new() { WorkingDirectory = workingDirectory, Environment = new Dictionary<string, string>() });
    }
}
