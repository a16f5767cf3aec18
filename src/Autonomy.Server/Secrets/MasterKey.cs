using System.Security.Cryptography;

namespace Autonomy.Server.Secrets;

/// <summary>
/// The 32 bytes every secret is encrypted under (AES-256-GCM), and its fingerprint: the first 16
/// hex characters of its SHA-256, which a store records beside each ciphertext so that a wrong or
/// missing key is named instead of failing as garbage. The fingerprint reveals nothing of the key.
/// </summary>
public sealed class MasterKey
{
    public const int Size = 32;

    private MasterKey(byte[] bytes)
    {
        Bytes = bytes;
        Fingerprint = FingerprintOf(bytes);
    }

    internal byte[] Bytes { get; }

    public string Fingerprint { get; }

    /// <summary>The key as it is written to a key file or given in <c>AUTONOMY_MASTER_KEY</c>.</summary>
    internal string Base64 => Convert.ToBase64String(Bytes);

    public static MasterKey Generate() => new(RandomNumberGenerator.GetBytes(Size));

    /// <summary>
    /// Reads a key given as base64 text (what Autonomy writes and <c>AUTONOMY_MASTER_KEY</c> holds) or
    /// as the 32 raw bytes; null when it is neither, so that the caller can say where the bad key came from.
    /// </summary>
    public static MasterKey? Parse(ReadOnlySpan<byte> given)
    {
        var text = System.Text.Encoding.ASCII.GetString(given).Trim();
        var decoded = new byte[Size + 3];
        if (Convert.TryFromBase64String(text, decoded, out var length) && length == Size)
        {
            return new MasterKey(decoded[..Size]);
        }
        return given.Length == Size ? new MasterKey(given.ToArray()) : null;
    }

    public static string FingerprintOf(ReadOnlySpan<byte> key) => Convert.ToHexStringLower(SHA256.HashData(key))[..16];

    /// <summary>Never the key itself, wherever a key ends up in a message.</summary>
    public override string ToString() => $"master key {Fingerprint}";
}
