namespace Autonomy.Server.Secrets;

/// <summary>What a secret may be called and how large it may be.</summary>
public static class SecretNames
{
    public const int MaxNameLength = 64;

    /// <summary>Docker caps a secret at 500 KB; certificates chains and keys fit easily in 1 MiB.</summary>
    public const int MaxValueBytes = 1024 * 1024;

    /// <summary>What is wrong with <paramref name="name"/>, or null: as Docker's, a letter or digit, then letters, digits, '_', '.' or '-'.</summary>
    public static string? Check(string name)
    {
        if (name.Length is 0 or > MaxNameLength)
        {
            return $"a secret's name has 1 to {MaxNameLength} characters";
        }
        if (!char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            return $"'{name}' is not a secret name: start with a letter or digit, then use letters, digits, '_', '.' and '-'";
        }
        return null;
    }
}
