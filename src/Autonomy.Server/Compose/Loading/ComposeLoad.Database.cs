using Autonomy.Server.Compose.Yaml;
using Autonomy.Server.Data;

namespace Autonomy.Server.Compose.Loading;

internal sealed partial class ComposeLoad
{
    private static readonly string[] DatabaseKeys = ["provider", "init", "name"];

    /// <summary>
    /// <c>x-autonomy.database</c> at the top level (the project's provider) and in each service (its
    /// own provider, or a mapping with provider, init and name), checked where they are written.
    /// </summary>
    private void ValidateDatabaseFields(MappingNode root, string projectDirectory)
    {
        if ((root["x-autonomy"] as MappingNode)?["database"] is { } projectChoice)
        {
            Provider(projectChoice, "x-autonomy.database");
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
                Provider(database, path);
                continue;
            }
            foreach (var (key, _) in settings.Entries)
            {
                if (!DatabaseKeys.Contains(key.Value))
                {
                    _checks.Error(key, $"{path}.{key.Value}", $"'{key.Value}' is not a setting of x-autonomy.database",
                        NameSuggestion.Closest(key.Value!, DatabaseKeys) is { } close ? $"did you mean '{close}'?" : "its settings are provider, init and name");
                }
            }
            if (settings["provider"] is { } provider && Provider(provider, $"{path}.provider") == DatabaseKind.None)
            {
                _checks.Error(provider, $"{path}.provider", "a database with settings cannot also be 'false'", "write 'x-autonomy: {database: false}' to give the service no database");
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

    private DatabaseKind? Provider(YamlNode node, string path)
    {
        if (node is not ScalarNode { Value: { } text })
        {
            _checks.Error(node, path, $"{path} must be a provider, not {node.Describe()}", $"write one of {DatabaseChoice.Forms}");
            return null;
        }
        if (!DatabaseChoice.TryParse(text, out var choice, out var error))
        {
            _checks.Error(node, path, error!, text.Contains("://", StringComparison.Ordinal)
                ? "write postgres://ADMIN@HOST:PORT[,HOST2:PORT2...], and give the admin's password in PGPASSWORD (the shell or the project's .env) or ~/.pgpass"
                : $"write one of {DatabaseChoice.Forms}");
            return null;
        }
        return choice!.Kind;
    }
}
