using System.Text;
using Autonomy.Server.Secrets;
using Autonomy.Tests.TestUtilities;
using Microsoft.Data.Sqlite;

namespace Autonomy.Tests.Secrets;

/// <summary>The secret store on a real SQLite file: sealed at rest, versioned, and re-keyed without a window where a crash loses the key.</summary>
public sealed class SecretStoreTests : IDisposable
{
    private const string Pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\r\nqLyK3b+/w==\n-----END PRIVATE KEY-----\n";

    private readonly TempProject _folder = new();

    private string State => Path.Combine(_folder.Directory, ".autonomy", "p");

    private SecretStore Open(IReadOnlyDictionary<string, string>? environment = null, string? state = null) =>
        SecretStore.OpenIn(state ?? State, environment ?? new Dictionary<string, string>());

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public void NoValueIsInTheStoreFileInClear()
    {
        var store = Open();
        var values = new Dictionary<string, string> { ["db_password"] = "correct horse battery staple", ["tls_key"] = Pem, ["api_token"] = "tok_4f9a2c71e0" };
        foreach (var (name, value) in values)
        {
            store.Set(name, Encoding.UTF8.GetBytes(value), "admin");
        }
        store.Set("db_password", "second password of the db"u8, "admin");

        foreach (var (name, value) in values.Append(new("db_password", "second password of the db")))
        {
            foreach (var file in Directory.GetFiles(State, "config.db*"))
            {
                var bytes = File.ReadAllBytes(file);
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(value)) < 0, $"{name}'s value is in {file} in clear");
                // Not even a telling part of it (the PEM's middle line).
                Assert.True(bytes.AsSpan().IndexOf("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"u8) < 0, $"part of the PEM key is in {file}");
            }
        }
        Assert.Equal(Pem, Encoding.UTF8.GetString(store.Read("tls_key")));
        Assert.Equal("correct horse battery staple", Encoding.UTF8.GetString(store.Read("db_password", 1)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(State, "master.key")));
    }

    [Fact]
    public void ACiphertextMovedToAnotherRowDoesNotDecrypt()
    {
        var store = Open();
        store.Set("a", "value of a"u8, "admin");
        store.Set("b", "value of b"u8, "admin");
        store.Set("b", "newer value of b"u8, "admin");
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(State, "config.db")}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // a's ciphertext put in b's newest row, and b's first version put in its second: same key, wrong row.
            command.CommandText = """
                UPDATE secret_versions SET nonce = (SELECT nonce FROM secret_versions WHERE name = 'a'), sealed = (SELECT sealed FROM secret_versions WHERE name = 'a') WHERE name = 'b' AND version = 2;
                """;
            command.ExecuteNonQuery();
        }
        var moved = Assert.Throws<SecretIntegrityException>(() => store.Read("b"));
        Assert.Contains("secret 'b' version 2", moved.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("value of", moved.Message, StringComparison.Ordinal);
        Assert.Equal("value of a", Encoding.UTF8.GetString(store.Read("a")));
    }

    [Fact]
    public void EachChangeIsAVersionAndARollbackIsANewOne()
    {
        var store = Open();
        Assert.Equal(new SecretWrite("db", 1, true), store.Set("db", "first"u8, "admin"));
        Assert.Equal(new SecretWrite("db", 2, true), store.Set("db", "rotated"u8, "orders/orders-1"));
        Assert.Equal(new SecretWrite("db", 2, false), store.Set("db", "rotated"u8, "admin"));

        var rollback = store.Rollback("db", 1, "admin");
        Assert.Equal(new SecretWrite("db", 3, true), rollback);
        Assert.Equal("first", Encoding.UTF8.GetString(store.Read("db")));
        Assert.Equal("rotated", Encoding.UTF8.GetString(store.Read("db", 2)));

        var history = store.History("db");
        Assert.Equal([3L, 2L, 1L], history.Select(v => v.Version));
        Assert.Equal([1L, null, null], history.Select(v => v.RestoredFrom));
        Assert.Equal("orders/orders-1", history[1].Author);
        Assert.Equal(new SecretInfo("db", 3, 3, history[2].Time, history[0].Time), store.List().Single());

        Assert.Throws<UnknownSecretException>(() => store.Rollback("db", 9, "admin"));
        store.Remove("db");
        Assert.Empty(store.List());
        Assert.Throws<UnknownSecretException>(() => store.Read("db"));
    }

    [Fact]
    public void RotatingTheKeySealsEveryVersionAgainUnderANewKey()
    {
        var store = Open();
        store.Set("db", "one"u8, "admin");
        store.Set("db", "two"u8, "admin");
        store.Set("tls", Encoding.UTF8.GetBytes(Pem), "admin");
        var before = Sealed();
        var oldFingerprint = store.KeyFingerprint();

        var rotation = store.RotateKey();

        Assert.Equal(oldFingerprint, rotation.PreviousFingerprint);
        Assert.NotEqual(rotation.PreviousFingerprint, rotation.Fingerprint);
        Assert.Equal(3, rotation.Reencrypted);
        Assert.Null(rotation.NewKey);
        var after = Sealed();
        Assert.All(before.Keys, row => Assert.NotEqual(before[row], after[row]));
        Assert.Equal(rotation.Fingerprint, MasterKey.Parse(File.ReadAllBytes(Path.Combine(State, "master.key")))!.Fingerprint);
        Assert.False(File.Exists(Path.Combine(State, "master.key.next")));

        // A fresh opening (another process) reads every version with the file's key.
        var reopened = Open();
        Assert.Equal("one", Encoding.UTF8.GetString(reopened.Read("db", 1)));
        Assert.Equal("two", Encoding.UTF8.GetString(reopened.Read("db")));
        Assert.Equal(Pem, Encoding.UTF8.GetString(reopened.Read("tls")));
        Assert.All(reopened.History("db"), v => Assert.Equal(rotation.Fingerprint, v.KeyFingerprint));
    }

    [Fact]
    public void ACrashBeforeTheRotationCommitsLeavesTheOldKeyInUse()
    {
        var store = Open();
        store.Set("db", "kept through a crash"u8, "admin");
        var crashed = Path.Combine(_folder.Directory, "crashed");
        store.BeforeRotationCommitForTests = () => CopyDisk(State, crashed);
        store.RotateKey();

        // The disk as it was at the crash: the new key written beside the old, the transaction not committed.
        Assert.True(File.Exists(Path.Combine(crashed, "master.key.next")));
        var recovered = Open(state: crashed);
        Assert.Equal("kept through a crash", Encoding.UTF8.GetString(recovered.Read("db")));
        Assert.False(File.Exists(Path.Combine(crashed, "master.key.next")));
        Assert.Equal(recovered.KeyFingerprint(), MasterKey.Parse(File.ReadAllBytes(Path.Combine(crashed, "master.key")))!.Fingerprint);
    }

    [Fact]
    public void ACrashAfterTheRotationCommitsFinishesItOnTheNextOpening()
    {
        var store = Open();
        store.Set("db", "kept through a crash"u8, "admin");
        var crashed = Path.Combine(_folder.Directory, "crashed");
        store.Keys.AfterCommitForTests = () => CopyDisk(State, crashed);
        var rotation = store.RotateKey();

        // The disk at the crash: the secrets sealed under the new key, which is still only in master.key.next.
        Assert.NotEqual(rotation.Fingerprint, MasterKey.Parse(File.ReadAllBytes(Path.Combine(crashed, "master.key")))!.Fingerprint);
        var recovered = Open(state: crashed);
        Assert.Equal("kept through a crash", Encoding.UTF8.GetString(recovered.Read("db")));
        Assert.False(File.Exists(Path.Combine(crashed, "master.key.next")));
        Assert.Equal(rotation.Fingerprint, MasterKey.Parse(File.ReadAllBytes(Path.Combine(crashed, "master.key")))!.Fingerprint);
    }

    [Fact]
    public void AWrongOrMissingKeyIsNamedAndNothingIsDecrypted()
    {
        var key = MasterKey.Generate();
        var withKey = new Dictionary<string, string> { [MasterKeySource.KeyVariable] = key.Base64 };
        Open(withKey).Set("db", "sealed under the env key"u8, "admin");
        Assert.False(File.Exists(Path.Combine(State, "master.key")));

        var wrong = Assert.Throws<MasterKeyException>(() => Open().Read("db"));
        Assert.Contains($"sealed with master key {key.Fingerprint}", wrong.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", wrong.Message, StringComparison.Ordinal);
        // A write under another key would leave the store under two keys: refused as well.
        var other = new Dictionary<string, string> { [MasterKeySource.KeyVariable] = MasterKey.Generate().Base64 };
        var mismatch = Assert.Throws<MasterKeyException>(() => Open(other).Set("other", "x"u8, "admin"));
        Assert.Contains(MasterKeySource.KeyVariable, mismatch.Message, StringComparison.Ordinal);
        Assert.NotNull(Open(other).KeyProblem());
        Assert.Null(Open(withKey).KeyProblem());

        var keyFile = _folder.Write("keys/project.key", key.Base64);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var open = Assert.Throws<MasterKeyException>(() => Open(new Dictionary<string, string> { [MasterKeySource.FileVariable] = keyFile }).Read("db"));
        Assert.Contains($"chmod 600 {keyFile}", open.Message, StringComparison.Ordinal);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal("sealed under the env key", Encoding.UTF8.GetString(Open(new Dictionary<string, string> { [MasterKeySource.FileVariable] = keyFile }).Read("db")));

        var bad = Assert.Throws<MasterKeyException>(() => Open(new Dictionary<string, string> { [MasterKeySource.KeyVariable] = "not a key" }).Read("db"));
        Assert.Contains("32 bytes in base64", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithTheKeyInTheEnvironmentARotationHandsTheNewKeyBack()
    {
        var key = MasterKey.Generate();
        var store = Open(new Dictionary<string, string> { [MasterKeySource.KeyVariable] = key.Base64 });
        store.Set("db", "value"u8, "admin");
        var rotation = store.RotateKey();
        Assert.Equal(MasterKeyOrigin.Environment, rotation.Origin);
        Assert.NotNull(rotation.NewKey);
        Assert.Equal(rotation.Fingerprint, MasterKey.Parse(Encoding.ASCII.GetBytes(rotation.NewKey))!.Fingerprint);
        Assert.False(File.Exists(Path.Combine(State, "master.key")));
        // The store that rotated keeps working; another opening needs the new key.
        Assert.Equal("value", Encoding.UTF8.GetString(store.Read("db")));
        Assert.Equal("value", Encoding.UTF8.GetString(Open(new Dictionary<string, string> { [MasterKeySource.KeyVariable] = rotation.NewKey }).Read("db")));
        Assert.Throws<MasterKeyException>(() => Open(new Dictionary<string, string> { [MasterKeySource.KeyVariable] = key.Base64 }).Read("db"));
    }

    private Dictionary<(string, long), string> Sealed()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(State, "config.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, version, hex(sealed) FROM secret_versions";
        using var reader = command.ExecuteReader();
        var rows = new Dictionary<(string, long), string>();
        while (reader.Read())
        {
            rows[(reader.GetString(0), reader.GetInt64(1))] = reader.GetString(2);
        }
        return rows;
    }

    /// <summary>What a crash at this instant leaves on disk: the files as they are (the WAL's uncommitted frames are ignored on recovery).</summary>
    private static void CopyDisk(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from).Where(f => !f.EndsWith("-shm", StringComparison.Ordinal) && !f.EndsWith(".tmp", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            File.SetUnixFileMode(Path.Combine(to, Path.GetFileName(file)), File.GetUnixFileMode(file));
        }
    }
}
