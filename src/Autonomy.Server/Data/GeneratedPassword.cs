using System.Security.Cryptography;

namespace Autonomy.Server.Data;

/// <summary>Passwords of 32 letters and digits (190 bits): nothing in them needs escaping in a URL, a connection string or SQL.</summary>
internal static class GeneratedPassword
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string New() => RandomNumberGenerator.GetString(Alphabet, 32);
}
