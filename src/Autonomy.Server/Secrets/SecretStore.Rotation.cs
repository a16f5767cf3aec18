using Microsoft.Data.Sqlite;

namespace Autonomy.Server.Secrets;

public sealed partial class SecretStore
{
    /// <summary>A test's way to fail a rotation after every version was re-encrypted but before the commit.</summary>
    internal Action? BeforeRotationCommitForTests { get; set; }

    /// <summary>
    /// Replaces the master key: every version of every secret is decrypted and sealed again under a
    /// new key in one transaction, and the key file is replaced around it (see
    /// <see cref="MasterKeySource.Replace"/>), so that no crash leaves a secret under a key that is gone.
    /// </summary>
    public KeyRotation RotateKey()
    {
        lock (_gate)
        {
            MasterKey previous;
            using (var connection = Connect())
            {
                previous = Key(connection, create: true);
            }
            var next = MasterKey.Generate();
            var count = 0;
            Keys.Replace(next, () => count = Reencrypt(previous, next));
            _key = next;
            return new KeyRotation(previous.Fingerprint, next.Fingerprint, count, Keys.Origin,
                Keys.Origin == MasterKeyOrigin.Environment ? next.Base64 : null);
        }
    }

    private int Reencrypt(MasterKey previous, MasterKey next)
    {
        using var connection = Connect();
        using var transaction = connection.BeginTransaction(deferred: false);
        var rows = new List<(string Name, long Version, byte[] Nonce, byte[] Sealed, string Fingerprint)>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT name, version, nonce, sealed, key_fingerprint FROM secret_versions";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1), (byte[])reader.GetValue(2), (byte[])reader.GetValue(3), reader.GetString(4)));
            }
        }
        using var update = connection.CreateCommand();
        update.CommandText = "UPDATE secret_versions SET nonce = $nonce, sealed = $sealed, key_fingerprint = $fingerprint WHERE name = $name AND version = $version";
        var nonce = update.Parameters.Add("$nonce", SqliteType.Blob);
        var sealedValue = update.Parameters.Add("$sealed", SqliteType.Blob);
        update.Parameters.AddWithValue("$fingerprint", next.Fingerprint);
        var name = update.Parameters.Add("$name", SqliteType.Text);
        var version = update.Parameters.Add("$version", SqliteType.Integer);
        foreach (var row in rows)
        {
            if (row.Fingerprint != previous.Fingerprint)
            {
                throw new MasterKeyException(Mismatch(row.Fingerprint, previous));
            }
            var plaintext = SecretCipher.Decrypt(previous, row.Name, row.Version, row.Nonce, row.Sealed);
            (nonce.Value, sealedValue.Value) = SecretCipher.Encrypt(next, row.Name, row.Version, plaintext);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext);
            name.Value = row.Name;
            version.Value = row.Version;
            update.ExecuteNonQuery();
        }
        BeforeRotationCommitForTests?.Invoke();
        transaction.Commit();
        return rows.Count;
    }
}
