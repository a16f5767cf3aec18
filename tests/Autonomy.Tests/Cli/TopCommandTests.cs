using System.Text.RegularExpressions;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Cli;

/// <summary><c>autonomy top</c> through the real CLI: into a pipe it prints the services page once and exits.</summary>
public sealed partial class TopCommandTests
{
    [Fact]
    public async Task IntoAPipeTopPrintsEveryReplicaOnceWithItsCpuAndMemoryAndExits()
    {
        await using var server = await RunningServer.StartAsync("""
            name: topview
            services:
              api:
                command: sleep 300
                deploy:
                  replicas: 2
              worker:
                command: ["sh", "-c", "sleep 300 & wait"]
            """, configure: o => o with { UsageSampleInterval = TimeSpan.FromMilliseconds(200) });
        await RunningProject.WaitUntilAsync(() => server.Plane.Supervisor.Status().SelectMany(s => s.Replicas).All(r => r.MemoryBytes > 0), "every replica's usage is sampled");

        var top = await Repository.RunAutonomyAsync(server.Files.Directory, ["top"], timeout: TimeSpan.FromSeconds(60));

        Assert.True(top.ExitCode == 0, top.ToString());
        var lines = top.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
        Assert.Equal(["SERVICE", "REPLICA", "STATE", "HEALTH", "RESTARTS", "UPTIME", "PORT", "CPU", "MEMORY"], Words().Split(lines[0]));
        var ports = server.Plane.Supervisor.Status().SelectMany(s => s.Replicas).ToDictionary(r => r.Id, r => r.Port);
        var rows = lines.Skip(1).Select(l => Words().Split(l)).ToList();
        Assert.Equal(["api-1", "api-2", "worker-1"], rows.Select(r => r[1]));
        Assert.All(rows, row =>
        {
            Assert.Equal(9, row.Length);
            Assert.Equal(("running", "none", "0"), (row[2], row[3], row[4]));
            Assert.Matches(@"^\d+s$", row[5]);
            Assert.Equal(ports[row[1]].ToString(System.Globalization.CultureInfo.InvariantCulture), row[6]);
            Assert.Matches(@"^\d+\.\d%$", row[7]);
            Assert.Matches(@"^\d+(\.\d)? (KiB|MiB)$", row[8]);
        });
        // No escape sequences of a live view in a pipe.
        Assert.DoesNotContain('\u001b', top.StandardOutput);
    }

    [Fact]
    public async Task ForAProjectThatIsNotRunningTopSaysSoAndFails()
    {
        using var project = new TempProject();
        project.Write("compose.yaml", "name: topidle\nservices:\n  api:\n    command: sleep 300\n");

        var top = await Repository.RunAutonomyAsync(project.Directory, ["top"]);

        Assert.True(top.ExitCode == 1, top.ToString());
        Assert.Contains("the project 'topidle' is not running; start it with 'autonomy up -d'", top.StandardError, StringComparison.Ordinal);
    }

    // Columns are set apart by two spaces or more; a size's number and unit by one.
    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex Words();
}
