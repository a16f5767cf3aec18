namespace Autonomy.Server.Runtime.Planning;

/// <summary>
/// The environment of one replica, in layers from low to high: the inherited environment, the
/// Dockerfile's ENV, Autonomy's variables, then the compose file's env_file and environment.
/// A compose value that is empty (e.g. <c>${DATABASE_URL}</c> with nothing set) does not hide a
/// value beneath it: the Dockerfile's ENV PORT=8080 never wins over the replica's own PORT, and an
/// empty compose value never wins over Autonomy's.
/// </summary>
internal static class ReplicaEnvironment
{
    /// <summary>Variables Autonomy owns (now or in later parts); a service whose URL variable would be one of them gets none.</summary>
    public static readonly HashSet<string> Reserved =
    [
        "PORT", "DATABASE_URL", "MESSAGE_QUEUE_URL", "MESSAGE_QUEUE_HTTP_URL", "AUTONOMY_URL", "AUTONOMY_TOKEN",
        "AUTONOMY_SERVICE", "AUTONOMY_INSTANCE", "AUTONOMY_SECRETS_DIR", "AUTONOMY_CONFIGS_DIR", "AUTONOMY_PROJECT",
    ];

    public static Dictionary<string, string> Build(
        IReadOnlyDictionary<string, string> inherited,
        ServicePlan plan,
        IReadOnlyDictionary<string, string> platform)
    {
        var env = new Dictionary<string, string>(inherited, StringComparer.Ordinal);
        // The platform's own key never reaches a service, whatever the shell that started it held; nor do the
        // PostgreSQL admin passwords Autonomy provisions with (PGPASSWORD, PGPASSWORD_<CLUSTER>), which would open
        // every other service's database. A compose file that means to give one to a service says so in environment.
        env.Remove(Secrets.MasterKeySource.KeyVariable);
        env.Remove(Secrets.MasterKeySource.FileVariable);
        foreach (var key in env.Keys.Where(IsAdminPassword).ToList())
        {
            env.Remove(key);
        }
        foreach (var (key, value) in plan.ImageEnvironment)
        {
            env[key] = value;
        }
        foreach (var (key, value) in platform)
        {
            env[key] = value;
        }
        foreach (var (key, value) in plan.Service.Environment)
        {
            if (value is null)
            {
                continue;
            }
            if (value.Length == 0 && env.TryGetValue(key, out var below) && below.Length > 0)
            {
                continue;
            }
            env[key] = value;
        }
        return env;
    }

    private static bool IsAdminPassword(string key) => key == "PGPASSWORD" || key.StartsWith("PGPASSWORD_", StringComparison.Ordinal);

    /// <summary>
    /// Where every other service is: <c>&lt;NAME&gt;_URL</c> (the name upper-cased, every character outside
    /// A-Z0-9 made '_') and <c>services__&lt;name&gt;__http__0</c> (.NET service discovery). A name that
    /// would collide with a variable Autonomy owns, or with another service's, is skipped with a warning.
    /// </summary>
    public static Dictionary<string, string> ServiceUrls(IEnumerable<ServicePlan> plans, string self, List<string> warnings)
    {
        var urls = new Dictionary<string, string>(StringComparer.Ordinal);
        var byVariable = plans.GroupBy(p => ServicePlanner.VariableName(p.Name) + "_URL").ToDictionary(g => g.Key, g => g.ToList());
        foreach (var plan in plans)
        {
            var url = $"http://127.0.0.1:{plan.ServicePort}";
            urls[$"services__{plan.Name}__http__0"] = url;
            if (plan.Name == self)
            {
                continue;
            }
            var variable = ServicePlanner.VariableName(plan.Name) + "_URL";
            if (Reserved.Contains(variable))
            {
                warnings.Add($"service '{plan.Name}': no {variable} is given to other services, because Autonomy owns that variable; use services__{plan.Name}__http__0");
                continue;
            }
            if (byVariable[variable].Count > 1)
            {
                warnings.Add($"services {string.Join(" and ", byVariable[variable].Select(p => $"'{p.Name}'"))} would both be {variable}; neither is given it, use services__<name>__http__0");
                continue;
            }
            urls[variable] = url;
        }
        return urls;
    }
}
