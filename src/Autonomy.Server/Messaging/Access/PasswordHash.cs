using System.Security.Cryptography;
using System.Text;

namespace Autonomy.Server.Messaging.Access;

/// <summary>
/// A broker user's password as the server keeps it: never the password, a salted hash of it. A password
/// a person chose goes through PBKDF2 (SHA-256, many iterations), so that a copy of the store does not
/// give it away to a dictionary; a password the server generated (190 random bits) cannot be guessed
/// anyway, and gets one salted SHA-256, so that checking it on every request costs nothing.
/// Written as <c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c> or <c>sha256$SALT$HASH</c> (base64).
/// </summary>
public sealed class PasswordHash
{
    /// <summary>OWASP's figure for PBKDF2 with HMAC-SHA-256.</summary>
    public const int Iterations = 600_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly int _iterations;
    private readonly byte[] _salt;
    private readonly byte[] _hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash)
    {
        _iterations = iterations;
        _salt = salt;
        _hash = hash;
    }

    /// <summary>For a password someone chose.</summary>
    public static PasswordHash OfChosen(string password) => Make(password, Iterations);

    /// <summary>For a password the server generated at random.</summary>
    public static PasswordHash OfGenerated(string password) => Make(password, 0);

    private static PasswordHash Make(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new PasswordHash(iterations, salt, Compute(password, salt, iterations));
    }

    public bool Matches(string password) => CryptographicOperations.FixedTimeEquals(Compute(password, _salt, _iterations), _hash);

    public override string ToString() => _iterations == 0
        ? $"sha256${Convert.ToBase64String(_salt)}${Convert.ToBase64String(_hash)}"
        : $"pbkdf2-sha256${_iterations}${Convert.ToBase64String(_salt)}${Convert.ToBase64String(_hash)}";

    public static PasswordHash Parse(string text)
    {
        var parts = text.Split('$');
        return parts switch
        {
            ["sha256", var salt, var hash] => new PasswordHash(0, Convert.FromBase64String(salt), Convert.FromBase64String(hash)),
            ["pbkdf2-sha256", var iterations, var salt, var hash] when int.TryParse(iterations, out var n) && n > 0 =>
                new PasswordHash(n, Convert.FromBase64String(salt), Convert.FromBase64String(hash)),
            _ => throw new FormatException("not a password hash this server writes"),
        };
    }

    private static byte[] Compute(string password, byte[] salt, int iterations)
    {
        var bytes = Encoding.UTF8.GetBytes(password);
        if (iterations > 0)
        {
            return Rfc2898DeriveBytes.Pbkdf2(bytes, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        }
        var salted = new byte[salt.Length + bytes.Length];
        salt.CopyTo(salted, 0);
        bytes.CopyTo(salted, salt.Length);
        return SHA256.HashData(salted);
    }
}
