namespace Autonomy.Server.Config;

/// <summary>What a namespace or key may be called; each check returns what is wrong, or null.</summary>
public static class ConfigNames
{
    public const int MaxKeyLength = 1024;

    public const int MaxValueBytes = 1024 * 1024;

    /// <summary>Like a compose service name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters.</summary>
    public static string? CheckNamespace(string name)
    {
        if (name.Length is 0 or > 63 || !char.IsAsciiLetterOrDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            return $"'{name}' is not a namespace name: use letters, digits, '.', '_' and '-' (starting with a letter or digit, at most 63 characters)";
        }
        return null;
    }

    /// <summary>Keys are ':'-separated paths as in .NET configuration (Logging:LogLevel:Default); no empty segment, no control characters.</summary>
    public static string? CheckKey(string key)
    {
        if (key.Length == 0)
        {
            return "the key is empty";
        }
        if (key.Length > MaxKeyLength)
        {
            return $"the key is {key.Length} characters long; at most {MaxKeyLength} are allowed";
        }
        if (key.Any(char.IsControl))
        {
            return $"the key '{key.Replace("\n", "\\n", StringComparison.Ordinal)}' contains a control character";
        }
        if (key.Split(':').Any(segment => segment.Length == 0))
        {
            return $"the key '{key}' has an empty segment: write sections as 'A:B:C', without a leading, trailing or doubled ':'";
        }
        return null;
    }
}
