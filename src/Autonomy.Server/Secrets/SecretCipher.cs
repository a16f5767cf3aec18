using System.Security.Cryptography;
using System.Text;

namespace Autonomy.Server.Secrets;

/// <summary>
/// AES-256-GCM over one version of one secret: a fresh 12-byte nonce each time, and the secret's
/// name and version as associated data, so that a ciphertext copied to another row (another secret,
/// or an older version) fails to decrypt instead of passing for that row's value.
/// </summary>
internal static class SecretCipher
{
    public const int NonceSize = 12;
    public const int TagSize = 16;

    /// <summary>The nonce and the ciphertext with its tag appended.</summary>
    public static (byte[] Nonce, byte[] Sealed) Encrypt(MasterKey key, string name, long version, ReadOnlySpan<byte> plaintext)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var sealedValue = new byte[plaintext.Length + TagSize];
        using var aes = new AesGcm(key.Bytes, TagSize);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(0, plaintext.Length), sealedValue.AsSpan(plaintext.Length), AssociatedData(name, version));
        return (nonce, sealedValue);
    }

    /// <summary>The plaintext; a wrong key, an altered ciphertext or one moved from another row is an error naming the row, never its content.</summary>
    public static byte[] Decrypt(MasterKey key, string name, long version, byte[] nonce, byte[] sealedValue)
    {
        if (nonce.Length != NonceSize || sealedValue.Length < TagSize)
        {
            throw new SecretIntegrityException(name, version);
        }
        var plaintext = new byte[sealedValue.Length - TagSize];
        using var aes = new AesGcm(key.Bytes, TagSize);
        try
        {
            aes.Decrypt(nonce, sealedValue.AsSpan(0, plaintext.Length), sealedValue.AsSpan(plaintext.Length), plaintext, AssociatedData(name, version));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SecretIntegrityException(name, version);
        }
        return plaintext;
    }

    private static byte[] AssociatedData(string name, long version) =>
        Encoding.UTF8.GetBytes($"autonomy-secret\0{name}\0{version.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
}

/// <summary>A stored version did not decrypt: the store was altered, or a row was copied from elsewhere.</summary>
public sealed class SecretIntegrityException(string name, long version)
    : Exception($"secret '{name}' version {version} does not decrypt under the master key it records: the store was altered or the row was copied from another secret; set the secret again")
{
    public string Name { get; } = name;

    public long Version { get; } = version;
}
