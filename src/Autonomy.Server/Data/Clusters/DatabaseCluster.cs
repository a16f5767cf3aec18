using System.Text.RegularExpressions;

namespace Autonomy.Server.Data.Clusters;

/// <summary>
/// A PostgreSQL server or cluster named in <c>x-autonomy.databases</c> (<c>main: postgres://ADMIN@HOST:PORT[,…]</c>),
/// where services are placed by a pin or by hash. Its admin's password comes from
/// <c>PGPASSWORD_&lt;NAME&gt;</c>, so that each cluster can have its own, else PGPASSWORD or ~/.pgpass.
/// </summary>
public sealed partial record DatabaseCluster(string Name, PostgresServerAddress Address)
{
    /// <summary>Words that already mean something as a database rule, so that no cluster can be named so.</summary>
    private static readonly HashSet<string> Reserved = ["sqlite", "postgres", "postgresql", "false", "true", "hash", "pin", "none"];

    /// <summary>The variable that holds this cluster's admin password: <c>PGPASSWORD_MAIN</c> for <c>main</c>.</summary>
    public string PasswordVariable => PasswordVariableOf(Name);

    public static string PasswordVariableOf(string name) => "PGPASSWORD_" + name.ToUpperInvariant().Replace('-', '_');

    /// <summary>Whether <paramref name="name"/> can name a cluster; <paramref name="error"/> says why not.</summary>
    public static bool CheckName(string name, out string? error)
    {
        error = !NameForm().IsMatch(name) ? $"'{name}' is not a cluster name (lowercase letters, digits, '-' and '_', starting with a letter)"
            : Reserved.Contains(name) ? $"'{name}' cannot name a cluster: it already means something in x-autonomy.database"
            : null;
        return error is null;
    }

    /// <summary>The clusters as the compose file names them, in its order; those the loader reported are left out.</summary>
    public static IReadOnlyList<DatabaseCluster> From(IEnumerable<KeyValuePair<string, string?>> entries)
    {
        var clusters = new List<DatabaseCluster>();
        foreach (var (name, url) in entries)
        {
            if (url is not null && CheckName(name, out _) && PostgresServerAddress.TryParse(url, out var address, out _))
            {
                clusters.Add(new DatabaseCluster(name, address!));
            }
        }
        return clusters;
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]*$")]
    private static partial Regex NameForm();
}
