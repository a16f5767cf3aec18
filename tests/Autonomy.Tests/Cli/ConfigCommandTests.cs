using System.Diagnostics;
using System.Text.Json;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Cli;

/// <summary><c>autonomy config</c> against a running project, as a user and a script use it.</summary>
public sealed class ConfigCommandTests() : RunningCliProject("configcli")
{
    [Fact]
    public async Task SetGetListHistoryRollbackDiff()
    {
        Assert.Equal("revision", (await Ok("config", "set", "web", "Logging:LogLevel:Default", "Information")).Split(' ')[0]);
        var second = long.Parse((await Ok("config", "set", "web", "Logging:LogLevel:Default", "Debug")).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        await Ok("config", "set", "web", "Greeting", "hello, world");
        Assert.Equal("hello, world\n", await Ok("config", "get", "web", "Greeting"));

        var listed = JsonDocument.Parse(await Ok("config", "list", "web", "--format", "json")).RootElement;
        Assert.Equal(["Greeting", "Logging:LogLevel:Default"], listed.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("key").GetString()));
        Assert.Contains("shared", await Ok("config", "list"), StringComparison.Ordinal);

        var history = JsonDocument.Parse(await Ok("config", "history", "web", "Logging:LogLevel:Default", "--format", "json")).RootElement;
        Assert.Equal(["Debug", "Information"], history.EnumerateArray().Select(v => v.GetProperty("value").GetString()));

        var stale = await Run("config", "set", "web", "Greeting", "hi", "--cas", "1");
        Assert.Equal(1, stale.ExitCode);
        Assert.Contains("read it again and retry", stale.StandardError, StringComparison.Ordinal);

        await Ok("config", "rollback", "web", (second - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Information\n", await Ok("config", "get", "web", "Logging:LogLevel:Default"));
        // From just after Greeting was set to now (rolled back to before it).
        var diff = await Ok("config", "diff", "web", (second + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("- Logging:LogLevel:Default = Debug", diff, StringComparison.Ordinal);
        Assert.Contains("+ Logging:LogLevel:Default = Information", diff, StringComparison.Ordinal);
        Assert.Contains("- Greeting = hello, world", diff, StringComparison.Ordinal);

        var missing = await Run("config", "get", "web", "Nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("has no key 'Nope'", missing.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchPrintsChangesAsTheyHappen()
    {
        var start = new ProcessStartInfo(Repository.Launcher, ["config", "watch", "web", "--format", "json"])
        {
            WorkingDirectory = Project.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var watch = Process.Start(start)!;
        try
        {
            var lines = new List<string>();
            var reading = Task.Run(async () =>
            {
                while (lines.Count < 2 && await watch.StandardOutput.ReadLineAsync() is { } line)
                {
                    lines.Add(line);
                }
            });
            // The watch may connect after the first write; --after would replay it, but live changes are the point here.
            for (var i = 0; i < 40 && !reading.IsCompleted; i++)
            {
                await Ok("config", "set", "web", "Tick", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await Task.Delay(250);
            }
            await reading.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.All(lines, l => Assert.Equal("Tick", JsonDocument.Parse(l).RootElement.GetProperty("key").GetString()));
        }
        finally
        {
            watch.Kill();
        }
    }

    [Fact]
    public async Task ImportAFileAndExportItAsAnother()
    {
        Project.Write("flask.cfg", "[DEFAULT]\nSECRET_KEY ='supersecretkey'\n\n[flask]\nDEBUG = True\n");
        Assert.Contains("imported 2 keys", await Ok("config", "import", "web", "flask.cfg"), StringComparison.Ordinal);
        await Ok("config", "export", "web", "-o", "settings.yaml");
        Assert.Contains("DEBUG: 'True'", File.ReadAllText(Project.PathOf("settings.yaml")), StringComparison.Ordinal);

        Project.Write("broken.json", "{\n  \"a\": [1, 2,]\n}\n");
        var broken = await Run("config", "import", "web", "broken.json");
        Assert.Equal(1, broken.ExitCode);
        Assert.Matches(@"^broken\.json:2:\d+: error: ", broken.StandardError);
        Assert.Contains("nothing was imported", broken.StandardError, StringComparison.Ordinal);

        var unknown = await Run("config", "import", "web", "settings.txt");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("give --format", unknown.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACanaryFromTheCommandLine()
    {
        await Ok("config", "set", "web", "Mode", "stable");
        var started = await Ok("config", "set", "web", "Mode", "fast", "--canary", "100%", "--auto-rollback", "--window", "5s");
        var match = System.Text.RegularExpressions.Regex.Match(started, @"canary (\S+) started for web-1, rolled back by itself if one fails within 5 s");
        Assert.True(match.Success, started);
        Assert.Equal("stable\n", await Ok("config", "get", "web", "Mode"));
        var listed = JsonDocument.Parse(await Ok("config", "canary", "list", "web", "--format", "json")).RootElement;
        Assert.Equal("active", listed[0].GetProperty("state").GetString());

        Assert.Contains("promoted", await Ok("config", "canary", "promote", "web", match.Groups[1].Value), StringComparison.Ordinal);
        Assert.Equal("fast\n", await Ok("config", "get", "web", "Mode"));
        var again = await Run("config", "canary", "abandon", "web", match.Groups[1].Value);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already promoted", again.StandardError, StringComparison.Ordinal);
    }
}
