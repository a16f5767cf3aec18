using Autonomy.Server.Compose.Yaml;
using Autonomy.Server.Data;
using Autonomy.Server.Data.Clusters;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ComposeLoad
{
    private static readonly string[] DatabaseKeys = ["provider", "pin", "init", "name"];

    /// <summary>
    /// <c>x-autonomy.databases</c> (named clusters), <c>x-autonomy.database</c> at the top level (the
    /// project's provider or placement rule) and in each service (its own, or a mapping with provider
    /// or pin, init and name), checked where they are written.
    /// </summary>
    private void ValidateDatabaseFields(MappingNode root, string projectDirectory)
    {
        var clusters = ClusterNames((root["x-autonomy"] as MappingNode)?["databases"]);
        if ((root["x-autonomy"] as MappingNode)?["database"] is { } projectChoice)
        {
            Provider(projectChoice, "x-autonomy.database", clusters);
        }
        foreach (var (name, value) in (root["services"] as MappingNode)?.Entries ?? [])
        {
            if ((value as MappingNode)?["x-autonomy"] is not MappingNode autonomy || autonomy["database"] is not { } database)
            {
                continue;
            }
            var path = $"services.{name.Value}.x-autonomy.database";
            if (database is not MappingNode settings)
            {
                Provider(database, path, clusters);
                continue;
            }
            foreach (var (key, _) in settings.Entries)
            {
                if (!DatabaseKeys.Contains(key.Value))
                {
                    _checks.Error(key, $"{path}.{key.Value}", $"'{key.Value}' is not a setting of x-autonomy.database",
                        NameSuggestion.Closest(key.Value!, DatabaseKeys) is { } close ? $"did you mean '{close}'?" : "its settings are provider, pin, init and name");
                }
            }
            if (settings["provider"] is { } provider && Provider(provider, $"{path}.provider", clusters) == DatabaseKind.None)
            {
                _checks.Error(provider, $"{path}.provider", "a database with settings cannot also be 'false'", "write 'x-autonomy: {database: false}' to give the service no database");
            }
            if (settings["pin"] is { } pin)
            {
                Pin(pin, $"{path}.pin", clusters, settings.KeyNode("provider") is not null);
            }
            if (settings["init"] is { } init && _checks.Text(init, $"{path}.init") is { } folder)
            {
                var full = Path.GetFullPath(folder, projectDirectory);
                if (!Directory.Exists(full))
                {
                    _checks.Error(init, $"{path}.init", $"the init folder '{folder}' does not exist ({full})",
                        "point init at a folder of .sql files, relative to the project folder");
                }
            }
            if (settings["name"] is { } given && _checks.Text(given, $"{path}.name") is { } identifier && !DatabaseNames.Check(identifier, out var error))
            {
                _checks.Error(given, $"{path}.name", error!, "use lowercase letters, digits and '_', starting with a letter, e.g. 'orders_db'");
            }
        }
    }

    /// <summary>The names of <c>x-autonomy.databases</c>, each checked with its URL.</summary>
    private List<string> ClusterNames(YamlNode? node)
    {
        const string path = "x-autonomy.databases";
        var names = new List<string>();
        if (node is null)
        {
            return names;
        }
        if (node is not MappingNode clusters)
        {
            _checks.Error(node, path, $"{path} must be a mapping of cluster names to URLs, not {node.Describe()}",
                "write e.g. 'databases: {main: postgres://admin@db1:5432,db2:5432, archive: postgres://admin@db3:5432}'");
            return names;
        }
        foreach (var (key, value) in clusters.Entries)
        {
            var name = key.Value ?? "";
            var at = $"{path}.{name}";
            if (!DatabaseCluster.CheckName(name, out var nameError))
            {
                _checks.Error(key, at, nameError!, "name it with lowercase letters, digits, '-' and '_', e.g. 'main' or 'archive'");
                continue;
            }
            names.Add(name);
            if (value is not ScalarNode { Value: { } url })
            {
                _checks.Error(value, at, $"the cluster '{name}' must be a postgres:// URL, not {value.Describe()}", "write e.g. 'main: postgres://admin@db1:5432,db2:5432'");
            }
            else if (!PostgresServerAddress.TryParse(url, out _, out var urlError))
            {
                _checks.Error(value, at, urlError!,
                    $"write postgres://ADMIN@HOST:PORT[,HOST2:PORT2...], and give the admin's password in {DatabaseCluster.PasswordVariableOf(name)} or PGPASSWORD (the shell or the project's .env) or ~/.pgpass");
            }
        }
        return names;
    }

    /// <summary>A provider, or with clusters named, <c>hash</c> or a cluster's name.</summary>
    private DatabaseKind? Provider(YamlNode node, string path, IReadOnlyList<string> clusters)
    {
        var forms = clusters.Count == 0 ? DatabaseChoice.Forms : $"{DatabaseChoice.Forms}, hash, or a cluster of x-autonomy.databases ({string.Join(", ", clusters)})";
        if (node is not ScalarNode { Value: { } text })
        {
            _checks.Error(node, path, $"{path} must be a provider, not {node.Describe()}", $"write one of {forms}");
            return null;
        }
        if (clusters.Contains(text))
        {
            return DatabaseKind.ExternalPostgres;
        }
        if (text == DatabaseChoice.Hash)
        {
            if (clusters.Count == 0)
            {
                _checks.Error(node, path, "'hash' places each service on one of the clusters named in x-autonomy.databases, and none is named",
                    "name them at the top level: x-autonomy: {databases: {main: postgres://ADMIN@HOST:PORT, archive: postgres://ADMIN@HOST2:PORT}}");
                return null;
            }
            return DatabaseKind.ExternalPostgres;
        }
        if (!DatabaseChoice.TryParse(text, out var choice, out var error))
        {
            var close = text.Contains("://", StringComparison.Ordinal) ? null : NameSuggestion.Closest(text, clusters);
            _checks.Error(node, path, clusters.Count > 0 && !text.Contains("://", StringComparison.Ordinal) ? $"'{text}' is neither a database provider nor a cluster of x-autonomy.databases" : error!,
                close is not null ? $"did you mean '{close}'?"
                : text.Contains("://", StringComparison.Ordinal) ? "write postgres://ADMIN@HOST:PORT[,HOST2:PORT2...], and give the admin's password in PGPASSWORD (the shell or the project's .env) or ~/.pgpass"
                : $"write one of {forms}");
            return null;
        }
        return choice!.Kind;
    }

    /// <summary><c>pin: NAME</c>: one of the named clusters, and not beside a provider, which would say another place.</summary>
    private void Pin(YamlNode node, string path, IReadOnlyList<string> clusters, bool hasProvider)
    {
        if (_checks.Text(node, path) is not { } name)
        {
            return;
        }
        if (hasProvider)
        {
            _checks.Error(node, path, "a database has either a provider or a pin, not both", "keep 'pin' to place it on a cluster of x-autonomy.databases, or 'provider' for anything else");
        }
        else if (clusters.Count == 0)
        {
            _checks.Error(node, path, $"'pin: {name}' names a cluster, and x-autonomy.databases names none",
                $"name it at the top level: x-autonomy: {{databases: {{{name}: postgres://ADMIN@HOST:PORT}}}}");
        }
        else if (!clusters.Contains(name))
        {
            _checks.Error(node, path, $"'{name}' is not a cluster of x-autonomy.databases ({string.Join(", ", clusters)})",
                NameSuggestion.Closest(name, clusters) is { } close ? $"did you mean '{close}'?" : $"pin it to one of {string.Join(", ", clusters)}, or name '{name}' there");
        }
    }
}
