using Autonomy.Server.Runtime.Planning;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Runtime.Supervision;

/// <summary>Compose configs from a file, inline content or a variable, written for each replica and linked at their target.</summary>
public sealed class ConfigFilesTests
{
    [Fact]
    public async Task EachSourceIsWrittenForTheReplicaAndLinkedAtARelativeTarget()
    {
        await using var p = new RunningProject("""
            name: configs
            services:
              app:
                command: ["sh", "-c", "cat \"$$AUTONOMY_CONFIGS_DIR/app.cfg\" conf/greeting.txt \"$$AUTONOMY_CONFIGS_DIR/region\" > seen.txt; exec sleep 300"]
                deploy: {replicas: 2}
                configs:
                  - source: appcfg
                    target: /etc/app.cfg
                  - source: greeting
                    target: conf/greeting.txt
                  - region
            configs:
              appcfg:
                file: ./app.cfg
              greeting:
                content: "hello from content\n"
              region:
                environment: REGION
            """);
        p.Files.Write("app.cfg", "[DEFAULT]\nDEBUG = false\n");
        await p.UpAsync(env: new Dictionary<string, string> { ["REGION"] = "eu-west\n" });

        var seen = p.Files.PathOf("seen.txt");
        await RunningProject.WaitUntilAsync(() => File.Exists(seen) && File.ReadAllText(seen).Contains("eu-west", StringComparison.Ordinal), "the replica read its configs");
        Assert.Equal("[DEFAULT]\nDEBUG = false\nhello from content\neu-west\n", File.ReadAllText(seen));

        foreach (var replica in new[] { "app-1", "app-2" })
        {
            var folder = p.Supervisor.ConfigFiles.ReplicaFolder(replica);
            Assert.Equal(["app.cfg", "greeting.txt", "region"], Directory.EnumerateFiles(folder).Select(Path.GetFileName).Order());
        }
        var link = new FileInfo(p.Files.PathOf("conf/greeting.txt"));
        Assert.Equal(Path.Combine(p.Supervisor.ConfigFiles.ServiceFolder("app"), "greeting.txt"), link.LinkTarget);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(link.LinkTarget!));
    }

    [Fact]
    public async Task AMissingFileOrVariableIsAnErrorBeforeAnythingStarts()
    {
        await using var p = new RunningProject("""
            name: configs
            services:
              app:
                command: sleep 300
                configs: [missing, unset]
            configs:
              missing:
                file: ./nowhere.cfg
              unset:
                environment: NOT_SET_ANYWHERE
            """);
        var error = await Assert.ThrowsAsync<ServicePlanException>(() => p.UpAsync());
        Assert.Contains(error.Problems, m => m.Contains("nowhere.cfg, which does not exist", StringComparison.Ordinal));
        Assert.Contains(error.Problems, m => m.Contains("$NOT_SET_ANYWHERE, which is not set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReplicasStartingTogetherEachGetTheirFiles()
    {
        await using var p = new RunningProject("""
            name: configs
            services:
              app:
                command: sleep 300
                deploy: {replicas: 12}
                configs:
                  - source: settings
                    target: settings.txt
            configs:
              settings:
                content: "same for all\n"
            """);
        await p.UpAsync();
        for (var i = 1; i <= 12; i++)
        {
            Assert.Equal("same for all\n", File.ReadAllText(Path.Combine(p.Supervisor.ConfigFiles.ReplicaFolder($"app-{i}"), "settings.txt")));
        }
        Assert.Equal("same for all\n", File.ReadAllText(p.Files.PathOf("settings.txt")));
        Assert.Empty(Directory.EnumerateFiles(p.Supervisor.ConfigFiles.ServiceFolder("app"), "*.tmp"));
    }
}
