using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;
using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Config.Formats;

/// <summary>What a plain YAML scalar means by the YAML 1.2 core schema, as the value of an entry.</summary>
internal static partial class YamlScalars
{
    public static bool IsNull(string plain) => CoreSchema.Resolve(plain) == ScalarKind.Null;

    /// <summary>True when a plain scalar of <paramref name="text"/> would be read as something other than this text.</summary>
    public static bool IsTyped(string text) => text == "<<" || CoreSchema.Resolve(text) != ScalarKind.String;

    /// <summary>The value and content type of the plain scalar <paramref name="plain"/>.</summary>
    public static (string Value, string ContentType) Resolve(string plain) => CoreSchema.Resolve(plain) switch
    {
        ScalarKind.Null => ("null", ConfigEntry.Json),
        ScalarKind.Boolean => (plain.ToLowerInvariant(), ConfigEntry.Json),
        ScalarKind.Integer => (JsonInteger(plain), ConfigEntry.Json),
        // JSON has no infinity nor NaN: those stay the text they are.
        ScalarKind.Float when plain.Contains("inf", StringComparison.OrdinalIgnoreCase) || plain.Contains("nan", StringComparison.OrdinalIgnoreCase) => (plain, ConfigEntry.PlainText),
        ScalarKind.Float => (JsonFloat(plain), ConfigEntry.Json),
        _ => (plain, ConfigEntry.PlainText),
    };

    // A core-schema integer: [-+]?[0-9]+, 0o[0-7]+ or 0x[0-9a-fA-F]+.
    private static string JsonInteger(string plain)
    {
        if (JsonValues.IsNumber(plain))
        {
            return plain;
        }
        if (plain.StartsWith("0x", StringComparison.Ordinal))
        {
            // The leading 0 keeps the parse from reading a high first digit as a sign.
            return BigInteger.Parse("0" + plain[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        }
        if (plain.StartsWith("0o", StringComparison.Ordinal))
        {
            var value = BigInteger.Zero;
            foreach (var digit in plain.AsSpan(2))
            {
                value = (value * 8) + (digit - '0');
            }
            return value.ToString(CultureInfo.InvariantCulture);
        }
        var negative = plain[0] == '-';
        var digits = plain.TrimStart('-', '+').TrimStart('0');
        return (negative ? "-" : "") + (digits.Length == 0 ? "0" : digits);
    }

    // A finite core-schema float, [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, as a JSON number: no '+',
    // no leading zeros, and digits on both sides of the point.
    private static string JsonFloat(string plain)
    {
        if (JsonValues.IsNumber(plain))
        {
            return plain;
        }
        var match = FloatParts().Match(plain);
        var integer = match.Groups["integer"].Value.TrimStart('0');
        var json = new StringBuilder();
        if (match.Groups["sign"].Value == "-")
        {
            json.Append('-');
        }
        json.Append(integer.Length == 0 ? "0" : integer);
        if (match.Groups["point"].Success)
        {
            var fraction = match.Groups["fraction"].Value;
            json.Append('.').Append(fraction.Length == 0 ? "0" : fraction);
        }
        return json.Append(match.Groups["exponent"].Value).ToString();
    }

    [GeneratedRegex(@"\A(?<sign>[-+]?)(?<integer>[0-9]*)(?<point>\.(?<fraction>[0-9]*))?(?<exponent>[eE][-+]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex FloatParts();
}
