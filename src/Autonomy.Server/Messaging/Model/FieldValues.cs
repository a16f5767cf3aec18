using System.Globalization;
using System.Text;

namespace Autonomy.Server.Messaging.Model;

/// <summary>Comparing, copying, reading and describing field-table values.</summary>
public static class FieldValues
{
    /// <summary>Deep equality: arrays and byte arrays by content, tables by their fields, numbers by type and value.</summary>
    public static bool AreEqual(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (FieldTable x, FieldTable y) => x.Equals(y),
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (IReadOnlyList<object?> x, IReadOnlyList<object?> y) => x.Count == y.Count && x.Zip(y).All(pair => AreEqual(pair.First, pair.Second)),
        _ => a.Equals(b),
    };

    /// <summary>
    /// Equality as RabbitMQ applies it to declared arguments: integers compare by value whatever their width
    /// (a client may send 10 as a short one time and as a long the next), and numbers of other types by value.
    /// </summary>
    public static bool AreEquivalent(object? a, object? b)
    {
        if (TryGetInteger(a, out var x) && TryGetInteger(b, out var y))
        {
            return x == y;
        }
        return TryGetNumber(a, out var p) && TryGetNumber(b, out var q) ? p.Equals(q) : AreEqual(a, b);
    }

    /// <summary>Reads any integer type as a long.</summary>
    public static bool TryGetInteger(object? value, out long result)
    {
        switch (value)
        {
            case sbyte v: result = v; return true;
            case byte v: result = v; return true;
            case short v: result = v; return true;
            case ushort v: result = v; return true;
            case int v: result = v; return true;
            case uint v: result = v; return true;
            case long v: result = v; return true;
            default: result = 0; return false;
        }
    }

    /// <summary>Reads a number of any type, integer or not, as a double.</summary>
    public static bool TryGetNumber(object? value, out double result)
    {
        if (TryGetInteger(value, out var integer))
        {
            result = integer;
            return true;
        }
        switch (value)
        {
            case float v: result = v; return true;
            case double v: result = v; return true;
            case decimal v: result = (double)v; return true;
            default: result = 0; return false;
        }
    }

    /// <summary>The AMQP type name of a value as RabbitMQ names it in its errors ("long", "longstr", "signedint" …).</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "void",
        bool => "bool",
        sbyte => "byte",
        byte => "unsignedbyte",
        short => "short",
        ushort => "unsignedshort",
        int => "signedint",
        uint => "unsignedint",
        long => "long",
        float => "float",
        double => "double",
        decimal => "decimal",
        string => "longstr",
        byte[] => "binary",
        DateTimeOffset => "timestamp",
        FieldTable => "table",
        IReadOnlyList<object?> => "array",
        _ => value.GetType().Name,
    };

    /// <summary>A short readable form, for error messages and logs.</summary>
    public static string Describe(object? value)
    {
        switch (value)
        {
            case null: return "void";
            case string s: return s;
            case bool b: return b ? "true" : "false";
            case byte[] bytes: return $"<{bytes.Length} bytes>";
            case DateTimeOffset time: return time.ToString("O", CultureInfo.InvariantCulture);
            case FieldTable table:
                return "{" + string.Join(", ", table.Select(entry => $"{entry.Key}: {Describe(entry.Value)}")) + "}";
            case IReadOnlyList<object?> list:
                return "[" + string.Join(", ", list.Select(Describe)) + "]";
            case IFormattable formattable: return formattable.ToString(null, CultureInfo.InvariantCulture);
            default: return value.ToString() ?? "";
        }
    }

    /// <summary>Reads a string value, which a client may also send as bytes (AMQP long strings are bytes).</summary>
    public static bool TryGetString(object? value, out string result)
    {
        switch (value)
        {
            case string s: result = s; return true;
            case byte[] bytes:
                try
                {
                    result = new UTF8Encoding(false, true).GetString(bytes);
                    return true;
                }
                catch (DecoderFallbackException)
                {
                    result = "";
                    return false;
                }
            default: result = ""; return false;
        }
    }

    internal static object? Clone(object? value) => value switch
    {
        FieldTable table => table.Clone(),
        byte[] bytes => bytes.ToArray(),
        IReadOnlyList<object?> list => list.Select(Clone).ToList(),
        _ => value,
    };
}
