using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Runtime.Supervision;

/// <summary>Stopping reaches a replica's whole process tree, gracefully first, with no survivor.</summary>
public sealed class StopTests
{
    private static List<int> GroupMembers(int pgid) =>
        [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsDigit)).Select(n => int.Parse(n!, System.Globalization.CultureInfo.InvariantCulture))
            .Where(pid =>
            {
                try
                {
                    var stat = File.ReadAllText($"/proc/{pid}/stat");
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    return fields[2] == pgid.ToString(System.Globalization.CultureInfo.InvariantCulture) && fields[0] != "Z";
                }
                catch (IOException)
                {
                    return false;
                }
            })];

    [Fact]
    public async Task ATreeWhoseChildrenIgnoreSigtermIsKilledAfterTheGracePeriod()
    {
        await using var p = new RunningProject("""
            services:
              stubborn:
                command: ["sh", "-c", "trap '' TERM; sh -c \"trap '' TERM; sleep 100\" & sleep 100 & wait"]
                stop_grace_period: 1s
            """);
        await p.UpAsync();
        var pgid = p.Replica("stubborn-1").Pid!.Value;
        await RunningProject.WaitUntilAsync(() => GroupMembers(pgid).Count >= 4, "the tree is up");
        var members = GroupMembers(pgid);

        var started = DateTime.UtcNow;
        await p.Supervisor.DownAsync();
        var took = DateTime.UtcNow - started;

        Assert.All(members, pid => Assert.False(RunningProject.ProcessExists(pid), $"pid {pid} survived"));
        Assert.InRange(took.TotalSeconds, 0.9, 5);
    }

    [Fact]
    public async Task AShellLeaderDyingAtOnceDoesNotCutTheGracePeriodOfItsChildren()
    {
        await using var p = new RunningProject("""
            services:
              app:
                command: sh -c 'trap "sleep 0.5; echo saved > saved.txt; exit 0" TERM; touch trapped; while true; do sleep 0.05; done' && true
                stop_grace_period: 5s
            """);
        await p.UpAsync();
        await RunningProject.WaitUntilAsync(() => File.Exists(p.Files.PathOf("trapped")), "the trap is set");
        await p.Supervisor.DownAsync();
        Assert.Equal("saved", File.ReadAllText(p.Files.PathOf("saved.txt")).Trim());
    }

    [Fact]
    public async Task StopSignalIsSentToTheGroupFirst()
    {
        await using var p = new RunningProject("""
            services:
              polite:
                command: sh -c 'trap "echo got-int > stopped.txt; exit 0" INT; touch trapped; while true; do sleep 0.1; done'
                stop_signal: SIGINT
                stop_grace_period: 5s
            """);
        await p.UpAsync();
        await RunningProject.WaitUntilAsync(() => File.Exists(p.Files.PathOf("trapped")), "the trap is set");
        var started = DateTime.UtcNow;
        await p.Supervisor.DownAsync();
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
        Assert.Equal("got-int", File.ReadAllText(p.Files.PathOf("stopped.txt")).Trim());
    }

    [Fact]
    public async Task DownStopsDependentsBeforeTheirDependencies()
    {
        await using var p = new RunningProject("""
            services:
              db:
                command: sh -c 'trap "date +%s%N > db-stopped; exit 0" TERM; touch db-trapped; while true; do sleep 0.05; done'
              web:
                command: sh -c 'trap "date +%s%N > web-stopped; exit 0" TERM; touch web-trapped; while true; do sleep 0.05; done'
                depends_on: [db]
            """);
        await p.UpAsync();
        await RunningProject.WaitUntilAsync(() => File.Exists(p.Files.PathOf("db-trapped")) && File.Exists(p.Files.PathOf("web-trapped")), "both trap TERM");
        await p.Supervisor.DownAsync();
        var web = long.Parse(File.ReadAllText(p.Files.PathOf("web-stopped")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var db = long.Parse(File.ReadAllText(p.Files.PathOf("db-stopped")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(web < db);
    }
}
