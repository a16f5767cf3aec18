using System.Text;
using System.Text.Json;
using Autonomy.Server.Secrets;
using Autonomy.Tests.TestUtilities;

namespace Autonomy.Tests.Cli;

/// <summary><c>autonomy secrets</c> as a user drives it: before the first up (in the store), then against the running server.</summary>
public sealed class SecretsCommandTests : IDisposable
{
    private const string Pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----\n";
    private const string Rotated = "second-generation-value-7f3e9b";

    private const string Compose = """
        name: secretscli
        services:
          billing:
            command: ["python3", "-c", "import os, shutil, time; shutil.copyfile(os.environ['AUTONOMY_SECRETS_DIR'] + '/signing.pem', 'delivered.pem'); time.sleep(300)"]
            secrets:
              - source: signing_key
                target: signing.pem
        secrets:
          signing_key:
            external: true
            name: billing_signing_key
        """;

    private readonly TempProject _project = new();

    public SecretsCommandTests() => _project.Write("compose.yaml", Compose);

    public void Dispose()
    {
        Repository.RunAutonomyAsync(_project.Directory, ["down"]).GetAwaiter().GetResult();
        _project.Dispose();
    }

    private Task<CommandResult> Run(params string[] args) => Repository.RunAutonomyAsync(_project.Directory, args);

    private async Task<CommandResult> Ok(string[] args, byte[]? stdin = null, IDictionary<string, string?>? env = null)
    {
        var result = await Repository.RunAutonomyAsync(_project.Directory, args, env, stdin: stdin);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private string State => Path.Combine(_project.Directory, ".autonomy", "secretscli");

    [Fact]
    public async Task SetBeforeUpDeliverRotateRollBackAndNoValueIsEverShownOrStoredInClear()
    {
        var missing = await Run("up", "-d");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("create it with: autonomy secrets set billing_signing_key < FILE", missing.StandardError, StringComparison.Ordinal);

        // Before the project runs: straight into its store, the PEM byte for byte (its final newline included).
        var set = await Ok(["secrets", "set", "billing_signing_key"], Encoding.UTF8.GetBytes(Pem));
        Assert.Equal("billing_signing_key: version 1\n", set.StandardOutput);
        Assert.Contains("made the project's master key", set.StandardError, StringComparison.Ordinal);

        var shown = new List<string> { set.StandardOutput + set.StandardError };
        shown.Add((await Ok(["up", "-d"])).ToString());
        var delivered = _project.PathOf("delivered.pem");
        await RunningProject.WaitUntilAsync(() => File.Exists(delivered) && new FileInfo(delivered).Length == Encoding.UTF8.GetByteCount(Pem), "the service copied its secret");
        Assert.Equal(Encoding.UTF8.GetBytes(Pem), File.ReadAllBytes(delivered));

        // Against the running server now: a new version, then back to the first as a third.
        Assert.Equal("billing_signing_key: version 2\n", (await Ok(["secrets", "set", "billing_signing_key"], Encoding.UTF8.GetBytes(Rotated))).StandardOutput);
        Assert.Equal("billing_signing_key: unchanged at version 2\n", (await Ok(["secrets", "set", "billing_signing_key"], Encoding.UTF8.GetBytes(Rotated))).StandardOutput);
        var rollback = await Ok(["secrets", "rollback", "billing_signing_key", "--to", "1"]);
        Assert.Equal("billing_signing_key: version 3 (the value of version 1)\n", rollback.StandardOutput);

        var list = await Ok(["secrets", "list", "--format", "json"]);
        var listed = JsonDocument.Parse(list.StandardOutput).RootElement.EnumerateArray().Single();
        Assert.Equal("billing_signing_key", listed.GetProperty("name").GetString());
        Assert.Equal(3, listed.GetProperty("versions").GetInt32());
        Assert.Equal(["billing"], listed.GetProperty("services").EnumerateArray().Select(s => s.GetString()));
        var history = await Ok(["secrets", "history", "billing_signing_key", "--format", "json"]);
        Assert.Equal([3L, 2L, 1L], JsonDocument.Parse(history.StandardOutput).RootElement.EnumerateArray().Select(v => v.GetProperty("version").GetInt64()));
        var rotate = await Ok(["secrets", "rotate-key"]);
        Assert.Contains("3 secret versions encrypted again", rotate.StandardOutput, StringComparison.Ordinal);
        shown.AddRange([list.ToString(), history.ToString(), rollback.ToString(), rotate.ToString(), (await Ok(["secrets", "list"])).ToString(),
            (await Ok(["secrets", "history", "billing_signing_key"])).ToString(), (await Ok(["ps"])).ToString(), (await Ok(["ps", "--format", "json"])).ToString(),
            (await Ok(["logs", "--tail", "all"])).ToString(), (await Ok(["convert"])).ToString()]);

        var removeInUse = await Run("secrets", "rm", "billing_signing_key");
        Assert.Equal(1, removeInUse.ExitCode);
        Assert.Contains("'billing' uses secret 'billing_signing_key' while running", removeInUse.StandardError, StringComparison.Ordinal);
        await Ok(["down"]);

        // No value in anything a user or an operator sees, nor in the store, the logs or the server's log.
        var files = Directory.GetFiles(State, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("master.key", StringComparison.Ordinal)).ToList();
        Assert.Contains(files, f => f.EndsWith("config.db", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("server.log", StringComparison.Ordinal));
        foreach (var value in new[] { "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", Rotated })
        {
            Assert.DoesNotContain(shown, text => text.Contains(value, StringComparison.Ordinal));
            foreach (var file in files)
            {
                Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) < 0, $"a secret's value is in {file}");
            }
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(State, "config.db")));

        // Stopped again: the verbs work on the store, and a removal takes every version.
        Assert.Equal("removed billing_signing_key\n", (await Ok(["secrets", "rm", "billing_signing_key"])).StandardOutput);
        Assert.Equal("[]\n", (await Ok(["secrets", "list", "--format", "json"])).StandardOutput);
    }

    [Fact]
    public async Task WithTheKeyInTheEnvironmentRotateKeyPrintsTheNewKeyOnceAndTheOldOneStopsWorking()
    {
        var key = MasterKey.Generate();
        var env = new Dictionary<string, string?> { [MasterKeySource.KeyVariable] = key.Base64 };
        await Ok(["secrets", "set", "billing_signing_key"], "value"u8.ToArray(), env);
        Assert.False(File.Exists(Path.Combine(State, "master.key")));

        var rotate = await Ok(["secrets", "rotate-key"], env: env);
        var newKey = rotate.StandardOutput.Trim();
        Assert.Equal(MasterKey.Parse(Encoding.ASCII.GetBytes(newKey))!.Fingerprint, Assert.Single(JsonDocument.Parse(
            (await Ok(["secrets", "history", "billing_signing_key", "--format", "json"], env: new Dictionary<string, string?> { [MasterKeySource.KeyVariable] = newKey })).StandardOutput)
            .RootElement.EnumerateArray()).GetProperty("keyFingerprint").GetString());
        Assert.Contains($"Put it in {MasterKeySource.KeyVariable} now", rotate.StandardError, StringComparison.Ordinal);

        var old = await Repository.RunAutonomyAsync(_project.Directory, ["secrets", "rollback", "billing_signing_key", "--to", "1"], env);
        Assert.Equal(1, old.ExitCode);
        Assert.Contains($"but the key in {MasterKeySource.KeyVariable} is {key.Fingerprint}", old.StandardError, StringComparison.Ordinal);

        var fromArgument = await Run("secrets", "set", "billing_signing_key", "value-on-the-command-line");
        Assert.Equal(2, fromArgument.ExitCode);
    }

    [Fact]
    public async Task ConvertShowsWhereAnEnvironmentSecretComesFromNotItsValue()
    {
        _project.Write("compose.yaml", """
            name: secretscli
            services:
              api:
                command: sleep 300
                secrets: [token]
            secrets:
              token:
                environment: API_TOKEN
            """);
        var env = new Dictionary<string, string?> { ["API_TOKEN"] = "tok-from-the-shell-8c1d" };
        var yaml = await Ok(["convert"], env: env);
        Assert.Contains("environment: API_TOKEN", yaml.StandardOutput, StringComparison.Ordinal);
        var json = await Ok(["convert", "--format", "json"], env: env);
        Assert.DoesNotContain("tok-from-the-shell-8c1d", yaml.ToString() + json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunGivesTheOneOffCommandTheServiceSecretsAndRemovesThemAfter()
    {
        await Ok(["secrets", "set", "billing_signing_key"], Encoding.UTF8.GetBytes(Pem));
        var run = await Ok(["run", "billing", "sh", "-c", "echo \"$AUTONOMY_SECRETS_DIR\"; wc -c < \"$AUTONOMY_SECRETS_DIR/signing.pem\"; wc -c < signing.pem"]);
        var lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([Encoding.UTF8.GetByteCount(Pem).ToString(System.Globalization.CultureInfo.InvariantCulture)], lines[1..].Select(l => l.Trim()).Distinct());
        Assert.False(Directory.Exists(lines[0]), "the one-off command's secrets outlived it");
        Assert.Empty(Directory.GetFiles(State, "secrets-folder*"));
    }
}
