using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Autonomy.Server.Governance;

/// <summary>
/// The SHA-256 of a token: what the server keeps instead of the token, and the key it looks a
/// caller up by. A value type of four words, so that hashing a request's token and finding it
/// allocate nothing.
/// </summary>
public readonly record struct TokenHash(ulong A, ulong B, ulong C, ulong D)
{
    /// <summary>Longer than any token this server makes; a longer header is not hashed at all.</summary>
    public const int MaxTokenLength = 256;

    public static bool TryCompute(ReadOnlySpan<char> token, out TokenHash hash)
    {
        hash = default;
        if (token.Length is 0 or > MaxTokenLength)
        {
            return false;
        }
        Span<byte> text = stackalloc byte[MaxTokenLength * 3];
        var length = Encoding.UTF8.GetBytes(token, text);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(text[..length], digest);
        hash = From(digest);
        return true;
    }

    public static TokenHash Of(string token) =>
        TryCompute(token, out var hash) ? hash : throw new ArgumentException("a token is 1 to 256 characters long", nameof(token));

    public static TokenHash FromHex(string hex) => From(Convert.FromHexString(hex));

    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[32];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, A);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[24..], D);
        return Convert.ToHexStringLower(bytes);
    }

    private static TokenHash From(ReadOnlySpan<byte> digest) => new(
        BinaryPrimitives.ReadUInt64BigEndian(digest),
        BinaryPrimitives.ReadUInt64BigEndian(digest[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(digest[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(digest[24..]));
}
