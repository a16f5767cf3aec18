using System.Globalization;
using System.Text.RegularExpressions;

namespace Autonomy.Server.Compose.Yaml;

/// <summary>
/// The YAML 1.2 core schema, which compose-go's parser follows: only true/false are booleans
/// (not yes/no/on/off, which YAML 1.1 would turn into booleans behind the user's back), and
/// <c>80:80</c> is text, not a base-60 number.
/// </summary>
internal static partial class CoreSchema
{
    public static ScalarKind Resolve(string plain)
    {
        if (plain.Length == 0 || plain is "~" or "null" or "Null" or "NULL")
        {
            return ScalarKind.Null;
        }
        if (plain is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return ScalarKind.Boolean;
        }
        if (IntegerPattern().IsMatch(plain))
        {
            return ScalarKind.Integer;
        }
        return FloatPattern().IsMatch(plain) ? ScalarKind.Float : ScalarKind.String;
    }

    public static bool TryParseInteger(string text, out long value)
    {
        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.Ordinal))
        {
            return long.TryParse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
        }
        if (text.StartsWith("0o", StringComparison.Ordinal))
        {
            value = 0;
            foreach (var c in text.AsSpan(2))
            {
                if (c is < '0' or > '7')
                {
                    return false;
                }
                value = (value * 8) + (c - '0');
            }
            return text.Length > 2;
        }
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseBoolean(string text, out bool value)
    {
        switch (text.Trim())
        {
            case "true" or "True" or "TRUE":
                value = true;
                return true;
            case "false" or "False" or "FALSE":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    [GeneratedRegex(@"^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex FloatPattern();
}
