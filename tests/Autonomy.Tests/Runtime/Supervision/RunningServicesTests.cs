using Autonomy.Server.Runtime.Planning;
using Autonomy.Server.Runtime.Supervision;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Runtime.Supervision;

/// <summary>Every way a compose service says what to run, run as real processes.</summary>
public sealed class RunningServicesTests
{
    private static async Task<string> ReadWhenWrittenAsync(string path)
    {
        await RunningProject.WaitUntilAsync(() => File.Exists(path) && new FileInfo(path).Length > 0, $"{path} is written");
        await Task.Delay(50);
        return (await File.ReadAllTextAsync(path)).Trim();
    }

    [Fact]
    public async Task ExecFormCommandRunsDirectly()
    {
        await using var p = new RunningProject("""
            services:
              tool:
                command: ["/bin/sh", "-c", "echo \"$0 $1\" > out.txt; sleep 30", "first", "second"]
            """);
        await p.UpAsync();
        Assert.Equal("first second", await ReadWhenWrittenAsync(p.Files.PathOf("out.txt")));
    }

    // $$ in a compose file is a literal $ (compose interpolates $PORT itself); the shell then sees $PORT.
    [Fact]
    public async Task TextCommandRunsThroughTheShell()
    {
        await using var p = new RunningProject("""
            services:
              tool:
                command: echo "port=$$PORT" > out.txt && exec sleep 30
            """);
        await p.UpAsync();
        var replica = p.Replica("tool-1");
        Assert.Equal($"port={replica.Port}", await ReadWhenWrittenAsync(p.Files.PathOf("out.txt")));
    }

    [Fact]
    public async Task EntrypointAndCommandCombine()
    {
        await using var p = new RunningProject("""
            services:
              tool:
                entrypoint: ["/bin/sh", "-c", "echo \"$@\" > out.txt; sleep 30", "sh"]
                command: ["a", "b"]
            """);
        await p.UpAsync();
        Assert.Equal("a b", await ReadWhenWrittenAsync(p.Files.PathOf("out.txt")));
    }

    [Fact]
    public async Task DockerfileCmdRunsInTheContextWithItsEnv()
    {
        await using var p = new RunningProject("""
            services:
              api:
                build: ./api
            """);
        p.Files.Write("api/Dockerfile", """
            FROM python:3.11-slim
            WORKDIR /app
            ENV GREETING="hello from the image" \
                PORT=8080
            COPY . .
            RUN pip install -r requirements.txt
            CMD ["/bin/sh", "-c", \
                 "echo \"$GREETING $PORT $(pwd)\" > out.txt; sleep 30"]
            """);
        await p.UpAsync();
        var replica = p.Replica("api-1");
        Assert.Equal($"hello from the image {replica.Port} {p.Files.PathOf("api")}", await ReadWhenWrittenAsync(p.Files.PathOf("api/out.txt")));
    }

    [Fact]
    public async Task DockerfileShellFormCmd()
    {
        await using var p = new RunningProject("services:\n  api:\n    build: .\n");
        p.Files.Write("Dockerfile", "FROM scratch\nCMD echo shell-form > out.txt; sleep 30\n");
        await p.UpAsync();
        Assert.Equal("shell-form", await ReadWhenWrittenAsync(p.Files.PathOf("out.txt")));
    }

    [Fact]
    public async Task SetupRunsOnceBeforeTheFirstStart()
    {
        await using var p = new RunningProject("""
            services:
              app:
                command: sh -c 'cat prepared.txt > seen.txt; sleep 30'
                x-autonomy:
                  setup: echo prepared >> prepared.txt
            """);
        await p.UpAsync();
        Assert.Equal("prepared", await ReadWhenWrittenAsync(p.Files.PathOf("seen.txt")));
        Assert.Contains(p.Supervisor.Logs.Tail("app", 50), l => l.Replica == "app-setup" && l.Text.Contains("setup:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailingSetupStopsUpWithItsOutput()
    {
        await using var p = new RunningProject("""
            services:
              app:
                command: sleep 30
                x-autonomy:
                  setup: echo "cannot install dependencies" >&2; exit 3
            """);
        var failure = await Assert.ThrowsAsync<ServiceStartException>(() => p.UpAsync());
        Assert.Equal("app", failure.Service);
        Assert.Contains("exit code 3", failure.Reason);
        Assert.Contains("cannot install dependencies", failure.LastLogLines);
    }

    [Fact]
    public async Task ImageOnlyServiceIsAClearError()
    {
        await using var p = new RunningProject("services:\n  cache:\n    image: redis:7\n");
        var failure = await Assert.ThrowsAsync<ServicePlanException>(() => p.UpAsync());
        var problem = Assert.Single(failure.Problems);
        Assert.Contains("service 'cache': it has only an image (redis:7)", problem);
        Assert.Contains("of images, it satisfies postgres", problem);
        Assert.Contains("'build:'", problem);
        Assert.Contains("'command:'", problem);
    }

    [Fact]
    public async Task MissingProgramNamesTheDockerfileLineAndSuggestsWhatThereIs()
    {
        await using var p = new RunningProject("services:\n  web:\n    build: .\n");
        p.Files.Write("Dockerfile", "FROM python:3.7-slim-buster\nWORKDIR /app\nENV PORT=8080\nCMD [\"autonomytesttool\", \"app.py\"]\n");
        var bin = p.Files.PathOf("bin");
        p.Files.Write("bin/autonomytesttool3", "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(bin, "autonomytesttool3"), UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var failure = await Assert.ThrowsAsync<ServicePlanException>(() => p.UpAsync(o => o with
        {
            InheritedEnvironment = new Dictionary<string, string> { ["PATH"] = $"{bin}:/usr/bin:/bin" },
        }));
        var problem = Assert.Single(failure.Problems);
        Assert.Contains("the program 'autonomytesttool'", problem);
        Assert.Contains("Dockerfile:4", problem);
        Assert.Contains("this machine has autonomytesttool3", problem);
    }

    [Fact]
    public async Task NamedVolumesAreFoldersKeptInTheStateAndLinkedInsideTheWorkingDirectory()
    {
        await using var p = new RunningProject("""
            services:
              app:
                build: .
                volumes:
                  - uploads:/app/uploads
                  - ./shared:/srv/shared
            volumes:
              uploads:
            """);
        p.Files.Write("Dockerfile", "FROM scratch\nWORKDIR /app\nCMD [\"/bin/sh\", \"-c\", \"echo x > uploads/file.txt; echo $AUTONOMY_VOLUME_UPLOADS $AUTONOMY_VOLUME_SHARED > vars.txt; sleep 30\"]\n");
        Directory.CreateDirectory(p.Files.PathOf("shared"));
        await p.UpAsync();
        var volume = Path.Combine(p.StateDirectory, "volumes", "uploads");
        Assert.Equal($"{volume} {p.Files.PathOf("shared")}", await ReadWhenWrittenAsync(p.Files.PathOf("vars.txt")));
        Assert.Equal("x", await ReadWhenWrittenAsync(Path.Combine(volume, "file.txt")));
        Assert.Equal(volume, new FileInfo(p.Files.PathOf("uploads")).LinkTarget);
    }
}
