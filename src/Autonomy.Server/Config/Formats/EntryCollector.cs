namespace Autonomy.Server.Config.Formats;

/// <summary>
/// Gathers the entries and the errors of one import, so that an import reports every error it finds and returns
/// nothing partial.
/// </summary>
internal sealed class EntryCollector
{
    private readonly List<FormatError> _errors = [];
    private readonly List<Slot> _slots = [];
    private readonly Dictionary<string, int> _byKey = new(StringComparer.Ordinal);

    public void Error(int line, int column, string message, string? hint = null) =>
        _errors.Add(new FormatError(line, column, message, hint));

    /// <summary>
    /// Adds an entry read at <paramref name="line"/> and <paramref name="column"/>. A key read twice is an error naming
    /// both lines, unless both were written under the same <paramref name="overridableName"/>: formats whose readers let a
    /// later assignment replace an earlier one (.env, .properties) pass the name as written, and the later value wins.
    /// </summary>
    public void Add(string key, string value, string contentType, int line, int column, string? overridableName = null)
    {
        if (key.Length == 0)
        {
            Error(line, column, "empty key: a config key needs a name");
            return;
        }
        if (_byKey.TryGetValue(key, out var index))
        {
            var first = _slots[index];
            if (overridableName is not null && string.Equals(first.OverridableName, overridableName, StringComparison.Ordinal))
            {
                _slots[index] = first with { Entry = new ConfigEntry(key, value, contentType) };
                return;
            }
            Error(line, column, $"the key '{key}' is defined twice: on line {first.Line} and on line {line}", "keep one of them");
            return;
        }
        _byKey.Add(key, _slots.Count);
        _slots.Add(new Slot(new ConfigEntry(key, value, contentType), line, overridableName));
    }

    /// <summary>The entries in the order their keys first appeared.</summary>
    /// <exception cref="ConfigFormatException">An error was found.</exception>
    public IReadOnlyList<ConfigEntry> Build()
    {
        if (_errors.Count > 0)
        {
            throw new ConfigFormatException([.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
        }
        return [.. _slots.Select(s => s.Entry)];
    }

    private sealed record Slot(ConfigEntry Entry, int Line, string? OverridableName);
}
