using System.Text.RegularExpressions;

namespace Autonomy.Server.Data;

/// <summary>
/// A service's role and database name on PostgreSQL: its name when that is a plain SQL identifier
/// (lowercase letters, digits and '_', not starting with a digit, at most 63 bytes), else a mapping
/// of it that says how it was made, or why none can be.
/// </summary>
public static partial class DatabaseNames
{
    /// <summary>PostgreSQL keeps 63 bytes of a name and silently cuts the rest.</summary>
    public const int MaxLength = 63;

    private static readonly HashSet<string> Reserved = ["postgres", "template0", "template1", "public", "none", "current_user", "session_user", "current_role"];

    /// <summary>The identifier for <paramref name="name"/>; <paramref name="note"/> explains a mapping, <paramref name="error"/> a refusal.</summary>
    public static string? For(string name, out string? note, out string? error)
    {
        note = null;
        error = null;
        var mapped = NonIdentifier().Replace(name.ToLowerInvariant(), "_");
        if (mapped.Length > 0 && char.IsAsciiDigit(mapped[0]))
        {
            mapped = "s_" + mapped;
        }
        if (mapped != name)
        {
            var why = name.Any(char.IsAsciiLetterUpper) ? "PostgreSQL folds unquoted names to lowercase" : "";
            var others = name.Where(c => !char.IsAsciiLetterOrDigit(c) && c != '_').Distinct().Select(c => $"'{c}'").ToList();
            if (others.Count > 0)
            {
                why += (why.Length > 0 ? ", and " : "") + $"{string.Join(" and ", others)} cannot be in an SQL identifier (made '_')";
            }
            if (char.IsAsciiDigit(name[0]))
            {
                why += (why.Length > 0 ? ", and " : "") + "an identifier cannot start with a digit (prefixed 's_')";
            }
            note = $"its PostgreSQL role and database are '{mapped}': {why}";
        }
        return Check(mapped, out error) ? mapped : null;
    }

    /// <summary>Whether <paramref name="identifier"/> (given with x-autonomy.database.name, or mapped) can be a role and database.</summary>
    public static bool Check(string identifier, out string? error)
    {
        error = null;
        if (!Identifier().IsMatch(identifier))
        {
            error = $"'{identifier}' is not a plain SQL identifier (lowercase letters, digits and '_', starting with a letter or '_')";
        }
        else if (identifier.Length > MaxLength)
        {
            error = $"'{identifier}' is longer than PostgreSQL's {MaxLength} bytes for a name";
        }
        else if (Reserved.Contains(identifier))
        {
            error = $"'{identifier}' is a name PostgreSQL itself uses";
        }
        else if (identifier.StartsWith("pg_", StringComparison.Ordinal))
        {
            error = $"'{identifier}' starts with 'pg_', which PostgreSQL keeps for its own roles";
        }
        return error is null;
    }

    /// <summary><paramref name="identifier"/> quoted for SQL; callers have checked it, the quotes are a second guard.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex NonIdentifier();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex Identifier();
}
