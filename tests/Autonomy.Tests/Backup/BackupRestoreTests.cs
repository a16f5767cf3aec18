using System.Text;
using System.Text.Json;
using Autonomy.Server.Secrets;
using Autonomy.Server.Store;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Backup;

/// <summary>A backup taken while writers keep writing restores to a consistent prefix of the store: every key's history intact up to one revision, nothing torn.</summary>
public sealed class BackupRestoreTests
{
    private const string Compose = """
        name: backedup
        services:
          app:
            command: sleep 300
            secrets: [db]
        secrets:
          db:
            external: true
            name: db_password
        """;

    [Fact]
    public async Task ABackupDuringConcurrentWritesRestoresAConsistentPrefix()
    {
        await using var server = await RunningServer.StartAsync(Compose,
            prepare: state => SecretStore.OpenIn(state, new Dictionary<string, string>()).Set("db_password", "s3cret of the db"u8, "admin"));
        var snapshot = server.Files.PathOf("snapshot.autonomy-backup");

        // Four writers each count one key up; a fifth sets two keys to the same number in one transaction.
        using var stop = new CancellationTokenSource();
        var counts = new int[5];
        var writers = Enumerable.Range(0, 5).Select(w => Task.Run(async () =>
        {
            for (var n = 1; !stop.IsCancellationRequested; n++)
            {
                using var response = w < 4
                    ? await server.Http.PutAsync($"/v1/config/app/keys/w{w}", new StringContent(n.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    : await server.Http.PostAsync("/v1/config/app/txn", new StringContent(
                        $$"""{"operations":[{"op":"set","key":"pair:a","value":"{{n}}"},{"op":"set","key":"pair:b","value":"{{n}}"}]}""", Encoding.UTF8, "application/json"));
                response.EnsureSuccessStatusCode();
                Volatile.Write(ref counts[w], n);
            }
        })).ToList();
        await RunningProject.WaitUntilAsync(() => Enumerable.Range(0, 5).All(i => Volatile.Read(ref counts[i]) >= 10), "every writer wrote 10 times");

        var backup = await Repository.RunAutonomyAsync(server.Files.Directory, ["backup", "-o", snapshot]);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var atBackup = Enumerable.Range(0, 5).Select(i => Volatile.Read(ref counts[i])).ToArray();
        await RunningProject.WaitUntilAsync(() => Enumerable.Range(0, 5).All(i => Volatile.Read(ref counts[i]) - atBackup[i] >= 10), "every writer wrote 10 more times");
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(snapshot));

        var running = await Repository.RunAutonomyAsync(server.Files.Directory, ["restore", snapshot]);
        Assert.Equal(1, running.ExitCode);
        Assert.Contains("is running; stop it with 'autonomy down'", running.StandardError, StringComparison.Ordinal);
        await server.StopAsync();

        // Restored elsewhere: refused without the master key, done with it.
        using var elsewhere = new TempProject();
        elsewhere.Write("compose.yaml", Compose);
        var state = Path.Combine(elsewhere.Directory, ".autonomy", "backedup");
        var refused = await Repository.RunAutonomyAsync(elsewhere.Directory, ["restore", snapshot]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("no master key is available here", refused.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(state, "config.db")));
        Directory.CreateDirectory(state);
        File.Copy(Path.Combine(server.Plane.StateDirectory, "master.key"), Path.Combine(state, "master.key"));
        var restore = await Repository.RunAutonomyAsync(elsewhere.Directory, ["restore", snapshot]);
        Assert.True(restore.ExitCode == 0, restore.ToString());

        await using var original = SqliteConfigStore.Open(Path.Combine(server.Plane.StateDirectory, "config.db"));
        await using var restored = SqliteConfigStore.Open(Path.Combine(state, "config.db"));
        var cut = restored.Revision;
        Assert.True(cut < original.Revision, "the backup holds writes made after it was taken");
        foreach (var key in original.List("app").Select(e => e.Key))
        {
            var expected = original.History("app", key, 100_000).Where(v => v.Revision <= cut).Select(v => (v.Revision, v.Value)).ToList();
            Assert.Equal(expected, restored.History("app", key, 100_000).Select(v => (v.Revision, v.Value)).ToList());
        }
        for (var w = 0; w < 4; w++)
        {
            var values = restored.History("app", $"w{w}", 100_000).Select(v => int.Parse(v.Value!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.True(values.Count >= 10, $"w{w} has {values.Count} versions");
            Assert.Equal(Enumerable.Range(1, values.Count).Reverse(), values);
        }
        Assert.Equal(restored.Get("app", "pair:a")!.Value, restored.Get("app", "pair:b")!.Value);
        Assert.Equal(restored.Get("app", "pair:a")!.Revision, restored.Get("app", "pair:b")!.Revision);

        // The secrets came along, still sealed, and open with the key.
        Assert.Equal("s3cret of the db", Encoding.UTF8.GetString(SecretStore.OpenIn(state, new Dictionary<string, string>()).Read("db_password")));
        Assert.True(File.ReadAllBytes(snapshot).AsSpan().IndexOf("s3cret of the db"u8) < 0);
    }

    [Fact]
    public async Task AStoppedProjectIsBackedUpFromItsStoreAndTheBackupSaysWhichKeyItNeeds()
    {
        using var project = new TempProject();
        project.Write("compose.yaml", Compose);
        var none = await Repository.RunAutonomyAsync(project.Directory, ["backup", "-o", "b.db"]);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("there is nothing to back up", none.StandardError, StringComparison.Ordinal);

        var set = await Repository.RunAutonomyAsync(project.Directory, ["secrets", "set", "db_password"], stdin: "pw"u8.ToArray());
        Assert.True(set.ExitCode == 0, set.ToString());
        var backup = await Repository.RunAutonomyAsync(project.Directory, ["backup", "-o", "b.db"]);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var fingerprint = SecretStore.OpenIn(Path.Combine(project.Directory, ".autonomy", "backedup"), new Dictionary<string, string>()).KeyFingerprint();
        Assert.Contains($"encrypted with master key {fingerprint}", backup.StandardError, StringComparison.Ordinal);
        Assert.Contains("Keep the key apart from the backups", backup.StandardError, StringComparison.Ordinal);
        Assert.Equal(fingerprint, Server.Backup.StoreBackup.Read(project.PathOf("b.db")).KeyFingerprint);

        // Another key in the environment: refused, and the store is left as it was.
        var before = File.ReadAllBytes(Path.Combine(project.Directory, ".autonomy", "backedup", "config.db"));
        var wrong = await Repository.RunAutonomyAsync(project.Directory, ["restore", "b.db"],
            new Dictionary<string, string?> { [MasterKeySource.KeyVariable] = MasterKey.Generate().Base64 });
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains($"sealed with master key {fingerprint}, but the key in {MasterKeySource.KeyVariable}", wrong.StandardError, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(project.Directory, ".autonomy", "backedup", "config.db")));

        var restore = await Repository.RunAutonomyAsync(project.Directory, ["restore", "b.db"]);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.True(File.Exists(Path.Combine(project.Directory, ".autonomy", "backedup", "config.db.before-restore")));
        var list = await Repository.RunAutonomyAsync(project.Directory, ["secrets", "list", "--format", "json"]);
        Assert.Equal("db_password", JsonDocument.Parse(list.StandardOutput).RootElement[0].GetProperty("name").GetString());
    }
}
