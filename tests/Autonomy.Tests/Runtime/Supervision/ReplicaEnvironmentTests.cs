using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Runtime.Supervision;

/// <summary>The precedence of a replica's variables, read back from the running process.</summary>
public sealed class ReplicaEnvironmentTests
{
    private static async Task<Dictionary<string, string>> EnvironmentOfAsync(RunningProject p, string file)
    {
        var path = p.Files.PathOf(file);
        await RunningProject.WaitUntilAsync(() => File.Exists(path) && File.ReadAllText(path).Contains("END=1", StringComparison.Ordinal), $"{file} is written");
        return File.ReadAllLines(path).Where(l => l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2)).GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
    }

    [Fact]
    public async Task LayersFromDockerfileToEnvironment()
    {
        await using var p = new RunningProject("""
            services:
              api:
                build: .
                env_file: [api.env]
                environment:
                  FROM_ENVIRONMENT: environment
                  OVERRIDDEN_BY_ENVIRONMENT: environment
                  EMPTY_DOES_NOT_HIDE_PORT: ""
                  PORT: ${UNSET_PORT_VARIABLE}
                  AUTONOMY_SERVICE: ${ALSO_UNSET}
              other-svc:
                command: sleep 30
            """);
        p.Files.Write("Dockerfile", """
            FROM scratch
            ENV PORT=8080 FROM_IMAGE=image OVERRIDDEN_BY_ENV_FILE=image
            CMD ["/bin/sh", "-c", "env > env.txt; echo END=1 >> env.txt; sleep 30"]
            """);
        p.Files.Write("api.env", "OVERRIDDEN_BY_ENV_FILE=env_file\nOVERRIDDEN_BY_ENVIRONMENT=env_file\n");
        await p.UpAsync(o => o with { InheritedEnvironment = new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin", ["INHERITED"] = "shell", ["FROM_IMAGE"] = "shell" } });
        await EnvironmentOfAsync(p, "env.txt");
        var replica = p.Replica("api-1");
        // Read from the process itself: a shell drops names like services__other-svc__http__0 from what it passes on.
        var env = File.ReadAllText($"/proc/{replica.Pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);

        Assert.Equal(replica.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), env["PORT"]);
        Assert.Equal("shell", env["INHERITED"]);
        Assert.Equal("image", env["FROM_IMAGE"]);
        Assert.Equal("env_file", env["OVERRIDDEN_BY_ENV_FILE"]);
        Assert.Equal("environment", env["OVERRIDDEN_BY_ENVIRONMENT"]);
        Assert.Equal("environment", env["FROM_ENVIRONMENT"]);
        Assert.Equal("api", env["AUTONOMY_SERVICE"]);
        Assert.Equal("api-1", env["AUTONOMY_INSTANCE"]);
        var other = p.Service("other-svc");
        Assert.Equal($"http://127.0.0.1:{other.Port}", env["OTHER_SVC_URL"]);
        Assert.Equal($"http://127.0.0.1:{other.Port}", env["services__other-svc__http__0"]);
        Assert.False(env.ContainsKey("API_URL"));
    }

    [Fact]
    public async Task EachReplicaGetsItsOwnPortDespiteTheDockerfile()
    {
        await using var p = new RunningProject("""
            services:
              web:
                build: .
                deploy: {replicas: 2}
            """);
        p.Files.Write("Dockerfile", "FROM scratch\nENV PORT=8080\nCMD [\"/bin/sh\", \"-c\", \"echo PORT=$PORT > $AUTONOMY_INSTANCE.txt; echo END=1 >> $AUTONOMY_INSTANCE.txt; sleep 30\"]\n");
        await p.UpAsync();
        var first = await EnvironmentOfAsync(p, "web-1.txt");
        var second = await EnvironmentOfAsync(p, "web-2.txt");
        Assert.NotEqual(first["PORT"], second["PORT"]);
        Assert.NotEqual("8080", first["PORT"]);
    }

    [Fact]
    public async Task AServiceWhoseUrlWouldTakeAReservedNameIsSkippedWithAWarning()
    {
        await using var p = new RunningProject("""
            services:
              database:
                command: sleep 30
              app:
                command: sh -c 'env > env.txt; echo END=1 >> env.txt; sleep 30'
                environment:
                  DATABASE_URL: sqlite:///data.db
            """);
        await p.UpAsync();
        var env = await EnvironmentOfAsync(p, "env.txt");
        Assert.Equal("sqlite:///data.db", env["DATABASE_URL"]);
        Assert.Contains(p.Supervisor.Warnings, w => w.Contains("service 'database'", StringComparison.Ordinal) && w.Contains("DATABASE_URL", StringComparison.Ordinal));
        Assert.True(env.ContainsKey("services__database__http__0"));
    }
}
