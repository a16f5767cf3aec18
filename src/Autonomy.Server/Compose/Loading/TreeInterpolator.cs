using Autonomy.Server.Compose.Diagnostics;
using Autonomy.Server.Compose.Interpolation;
using Autonomy.Server.Compose.Yaml;

namespace Autonomy.Server.Compose.Loading;

/// <summary>
/// Applies the spec's variable interpolation to every value of a file (keys are names and stay as
/// written). A failure is reported at the value's own line and column, with the user's message
/// for <c>${VAR:?message}</c>, and the walk goes on so that one pass reports every missing variable.
/// </summary>
internal static class TreeInterpolator
{
    public static void Apply(YamlNode node, Func<string, string?> lookup, DiagnosticBag diagnostics, string path = "")
    {
        switch (node)
        {
            case ScalarNode { Value: { } text } scalar:
                if (text.Contains('$'))
                {
                    try
                    {
                        scalar.Value = Interpolator.Substitute(text, lookup);
                        scalar.Original = scalar.Value == text ? null : text;
                    }
                    catch (InterpolationException e)
                    {
                        diagnostics.Error(LocationOf(scalar, text, e.Offset), path, e.Message, HintFor(e));
                    }
                }
                // No path, argument or variable can hold a NUL byte: refuse it here, once, for all of them.
                if (scalar.Value?.Contains('\0') == true)
                {
                    diagnostics.Error(scalar, path, $"{(path.Length == 0 ? "a value" : path)} contains a NUL character, which no path, argument or variable can hold", "remove it");
                    scalar.Value = scalar.Value.Replace("\0", "", StringComparison.Ordinal);
                }
                break;
            case SequenceNode sequence:
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    Apply(sequence.Items[i], lookup, diagnostics, Join(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
                break;
            case MappingNode mapping:
                foreach (var (key, value) in mapping.Entries)
                {
                    if (key.Value!.Contains('\0'))
                    {
                        diagnostics.Error(key, path, "a key contains a NUL character", "remove it");
                        key.Value = key.Value.Replace("\0", "", StringComparison.Ordinal);
                    }
                    Apply(value, lookup, diagnostics, Join(path, key.Value!));
                }
                break;
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    // The offset is exact for a one-line plain scalar, and one further for a quoted one.
    private static SourceLocation LocationOf(ScalarNode scalar, string text, int offset)
    {
        if (!scalar.Location.IsKnown || text.Contains('\n') || offset < 0)
        {
            return scalar.Location;
        }
        return scalar.Location with { Column = scalar.Location.Column + offset + (scalar.Quoted ? 1 : 0) };
    }

    private static string? HintFor(InterpolationException e) => e.Variable is { } name
        ? $"set {name} in the shell or in the project's .env file"
        : "write ${NAME}, ${NAME:-default}, ${NAME:?message} or ${NAME:+alternative}; write $$ for a literal $";
}
