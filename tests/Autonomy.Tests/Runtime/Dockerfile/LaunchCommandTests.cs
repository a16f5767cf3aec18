using System.Diagnostics;
using Autonomy.Server.Runtime.Dockerfile;

namespace Autonomy.Tests.Runtime.Dockerfile;

/// <summary>The command line is merged from the Dockerfile and the compose service as the Docker engine merges them.</summary>
public sealed class LaunchCommandTests
{
    private static DockerfileInfo Image(string text) => DockerfileReader.Read(text, "app/Dockerfile");

    [Fact]
    public void ExecFormCmdRunsAsWritten()
    {
        var image = Image("FROM python:3.12\nWORKDIR /app\nCMD [\"python\", \"app.py\"]\n");
        var argv = LaunchCommand.Resolve(image, null, null, out var source);
        Assert.Equal(["python", "app.py"], argv);
        Assert.Equal("app/Dockerfile:3 (CMD)", source);
    }

    [Fact]
    public void ShellFormRunsWithTheShellInEffectThen()
    {
        Assert.Equal(["/bin/sh", "-c", "python app.py"], LaunchCommand.Resolve(Image("FROM x\nCMD python app.py\n"), null, null, out _));
        Assert.Equal(["/bin/bash", "-c", "python app.py"],
            LaunchCommand.Resolve(Image("FROM x\nSHELL [\"/bin/bash\", \"-c\"]\nCMD python app.py\n"), null, null, out _));
    }

    [Fact]
    public void ExecEntrypointIsFollowedByCmd()
    {
        var image = Image("FROM x\nENTRYPOINT [\"gunicorn\"]\nCMD [\"app:server\", \"-b\", \"0.0.0.0:8000\"]\n");
        var argv = LaunchCommand.Resolve(image, null, null, out var source);
        Assert.Equal(["gunicorn", "app:server", "-b", "0.0.0.0:8000"], argv);
        Assert.Equal("app/Dockerfile:2 (ENTRYPOINT)", source);
    }

    [Fact]
    public void ComposeCommandReplacesCmdAndKeepsTheEntrypoint()
    {
        var image = Image("FROM x\nENTRYPOINT [\"gunicorn\"]\nCMD [\"app:server\"]\n");
        Assert.Equal(["gunicorn", "other:app"], LaunchCommand.Resolve(image, null, ["other:app"], out var source));
        Assert.Equal("app/Dockerfile:2 (ENTRYPOINT)", source);

        var cmdOnly = Image("FROM x\nCMD [\"python\", \"app.py\"]\n");
        Assert.Equal(["python", "worker.py"], LaunchCommand.Resolve(cmdOnly, null, ["python", "worker.py"], out source));
        Assert.Equal("compose command", source);
    }

    [Fact]
    public void ComposeEntrypointReplacesEntrypointAndDropsTheImageCmd()
    {
        var image = Image("FROM x\nENTRYPOINT [\"gunicorn\"]\nCMD [\"app:server\"]\n");
        Assert.Equal(["python", "-m", "app"], LaunchCommand.Resolve(image, ["python", "-m", "app"], null, out var source));
        Assert.Equal("compose entrypoint", source);
        Assert.Equal(["python", "-m", "app", "--debug"], LaunchCommand.Resolve(image, ["python", "-m", "app"], ["--debug"], out _));
    }

    [Fact]
    public void EmptyComposeEntrypointRemovesTheEntrypointButKeepsTheCmd()
    {
        // As the engine does (docker/compose#5272): an empty entrypoint is "none", and the image CMD still applies.
        var image = Image("FROM x\nENTRYPOINT [\"gunicorn\"]\nCMD [\"python\", \"app.py\"]\n");
        Assert.Equal(["python", "app.py"], LaunchCommand.Resolve(image, [], null, out var source));
        Assert.Equal("app/Dockerfile:3 (CMD)", source);
    }

    [Fact]
    public void EmptyComposeCommandLeavesTheImageCmd()
    {
        var image = Image("FROM x\nCMD [\"python\", \"app.py\"]\n");
        Assert.Equal(["python", "app.py"], LaunchCommand.Resolve(image, null, [], out _));
    }

    [Fact]
    public void ShellFormEntrypointIgnoresCmdAsDockerRunsIt()
    {
        var image = Image("FROM x\nENTRYPOINT echo entry \"$0\"\nCMD [\"ignored\", \"also\"]\n");
        var argv = LaunchCommand.Resolve(image, null, null, out var source);
        Assert.Equal(["/bin/sh", "-c", "echo entry \"$0\"", "ignored", "also"], argv);
        Assert.Equal("app/Dockerfile:2 (ENTRYPOINT)", source);

        // Run it for real: the CMD words are only the shell's $0 and $1, and the text ignores them unless it says so.
        var start = new ProcessStartInfo(argv![0]) { RedirectStandardOutput = true };
        foreach (var word in argv.Skip(1))
        {
            start.ArgumentList.Add(word);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal("entry ignored\n", output);
    }

    [Fact]
    public void WithoutAnImageOnlyComposeCounts()
    {
        Assert.Equal(["./run.sh"], LaunchCommand.Resolve(null, null, ["./run.sh"], out var source));
        Assert.Equal("compose command", source);
        Assert.Equal(["node", "server.js"], LaunchCommand.Resolve(null, ["node"], ["server.js"], out source));
        Assert.Equal("compose entrypoint", source);
    }

    [Fact]
    public void NothingToRunIsNull()
    {
        Assert.Null(LaunchCommand.Resolve(null, null, null, out var source));
        Assert.Contains("no command or entrypoint", source);

        var image = Image("FROM python:3.12\nWORKDIR /app\n");
        Assert.Null(LaunchCommand.Resolve(image, null, null, out source));
        Assert.Contains("app/Dockerfile (no CMD or ENTRYPOINT)", source);
    }

    [Fact]
    public void ArticleServiceRunsItsCmd()
    {
        var image = Image("""
            FROM python:3.7-slim-buster
            WORKDIR /app
            COPY requirements.txt.
            RUN pip install -r requirements.txt
            COPY..
            ENV PORT=8080
            EXPOSE $PORT
            CMD ["python", "app.py"]
            """);
        Assert.Equal(["python", "app.py"], LaunchCommand.Resolve(image, null, null, out var source));
        Assert.Equal("app/Dockerfile:8 (CMD)", source);
    }
}
