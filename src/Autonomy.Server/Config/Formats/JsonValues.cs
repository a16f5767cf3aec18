using System.Text.RegularExpressions;

namespace Autonomy.Server.Config.Formats;

/// <summary>
/// The JSON texts an <see cref="ConfigEntry.Json"/> value may hold for JSON and YAML to write it back with its type:
/// a number, <c>true</c>, <c>false</c>, <c>null</c>, <c>{}</c> or <c>[]</c>, each exactly as JSON writes it.
/// </summary>
internal static partial class JsonValues
{
    public const string EmptyObject = "{}";

    public const string EmptyArray = "[]";

    public static bool IsNumber(string text) => NumberPattern().IsMatch(text);

    /// <summary>Refuses a JSON value that is none of the typed values an import produces.</summary>
    /// <exception cref="ArgumentException">The value is not a JSON number, true, false, null, {} or [].</exception>
    public static void CheckTyped(ConfigEntry entry)
    {
        if (entry.Value is not ("true" or "false" or "null" or EmptyObject or EmptyArray) && !IsNumber(entry.Value))
        {
            throw ExportEntries.Refuse(entry.Key,
                $"its content type is {ConfigEntry.Json}, but its value is not a JSON number, true, false, null, {{}} or [] written without spaces; "
                    + $"store other text as {ConfigEntry.PlainText}, and an object or array as one key per value");
        }
    }

    // RFC 8259's number; \z rather than $, which would also match before a final line break.
    [GeneratedRegex(@"\A-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
