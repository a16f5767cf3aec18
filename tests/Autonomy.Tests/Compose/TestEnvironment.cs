using Autonomy.Server.Compose.EnvFiles;

namespace Autonomy.Tests.Compose;

/// <summary>Builds lookups and reads parse results in the "NAME=VALUE" form the test data is written in.</summary>
internal static class TestEnvironment
{
    /// <summary>A lookup that knows exactly <paramref name="assignments"/> ("NAME=VALUE"); every other name is unset.</summary>
    public static Func<string, string?> Lookup(params string[] assignments)
    {
        var variables = ToDictionary(assignments);
        return name => variables.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>"NAME=VALUE" pairs split at the first '=' (a name never holds one).</summary>
    public static Dictionary<string, string> ToDictionary(IEnumerable<string> assignments)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
        {
            var separator = assignment.IndexOf('=', StringComparison.Ordinal);
            result[assignment[..separator]] = assignment[(separator + 1)..];
        }
        return result;
    }

    /// <summary>
    /// What the entries define, as the loader reads them: the last value of a key wins, and an entry without a value
    /// (a bare KEY the lookup does not know) defines nothing.
    /// </summary>
    public static Dictionary<string, string> Defined(IEnumerable<DotEnvEntry> entries)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.Value is not null)
            {
                result[entry.Key] = entry.Value;
            }
        }
        return result;
    }

    /// <summary>The entries' definitions as sorted "NAME=VALUE" strings, to compare with the test data.</summary>
    public static string[] DefinedAssignments(IEnumerable<DotEnvEntry> entries) =>
        [.. Defined(entries).Select(pair => $"{pair.Key}={pair.Value}").Order(StringComparer.Ordinal)];
}
