using Autonomy.Server.Compose.Model;
using Autonomy.Server.Secrets;

namespace Autonomy.Server.Runtime.Planning;

internal sealed partial class ServicePlanner
{
    /// <summary>
    /// The service's secrets as files: each source checked now (a missing file, an unset variable, an
    /// external secret not in the store), so that <c>up</c> names every one before anything starts.
    /// </summary>
    private List<SecretFilePlan> SecretFiles(ServiceDefinition service, string workingDirectory, string baseDirectory, string? imageWorkDir)
    {
        var files = new List<SecretFilePlan>();
        foreach (var reference in service.Secrets)
        {
            if (!project.Secrets.TryGetValue(reference.Source, out var definition))
            {
                Problem(service, $"it uses secret '{reference.Source}', which the top-level secrets section does not define", $"add '{reference.Source}:' under 'secrets:' with 'file: ./path', 'environment: VAR' or 'external: true'");
                continue;
            }
            if (SecretSource(service, definition) is not { } source)
            {
                continue;
            }
            // A target names the file (Docker puts a relative one under /run/secrets); only a target written
            // relative, or one inside the working directory, is also linked there.
            var target = reference.Target ?? "/run/secrets/" + reference.Source;
            var fileName = Path.GetFileName(target.TrimEnd('/'));
            var link = !Path.IsPathRooted(target) ? Path.GetFullPath(target, workingDirectory) : MapImagePath(target, baseDirectory, imageWorkDir)
                ?? (target.StartsWith(workingDirectory + "/", StringComparison.Ordinal) ? target : null);
            files.Add(new SecretFilePlan(reference.Source, fileName.Length > 0 ? fileName : reference.Source, link, source, reference.Mode ?? SecretFilePlan.DefaultMode));
        }
        if (files.GroupBy(f => f.FileName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            Problem(service, $"two of its secrets end in the same file name '{clash.Key}' ({string.Join(", ", clash.Select(f => f.Name))})", "give them targets with different file names");
        }
        return files;
    }

    private SecretFileSource? SecretSource(ServiceDefinition service, ResourceDefinition definition)
    {
        if (definition.External)
        {
            var name = definition.Name ?? definition.Key;
            if (SecretNames.Check(name) is { } invalid)
            {
                Problem(service, $"secret '{definition.Key}' is external with the name '{name}': {invalid}", "give it a name: that the secret store accepts");
                return null;
            }
            if (secrets is null)
            {
                Problem(service, $"secret '{definition.Key}' is external, and only the Autonomy server has a secret store", "run the project with 'autonomy up'");
                return null;
            }
            if (!secrets.Exists(name))
            {
                Problem(service, $"secret '{definition.Key}' is external, and the project's secret store has no secret '{name}'",
                    $"create it with: autonomy secrets set {name} < FILE");
                return null;
            }
            if (secrets.KeyProblem() is { } keyProblem)
            {
                Problem(service, $"secret '{definition.Key}' cannot be read: {keyProblem}", null);
                return null;
            }
            return new StoredSecretSource(name);
        }
        if (definition.File is { } path)
        {
            if (!File.Exists(path))
            {
                Problem(service, $"secret '{definition.Key}' is the file {path}, which does not exist", "create it, or point file: at the right path");
                return null;
            }
            return new FileSecretSource(path);
        }
        if (definition.Environment is { } variable)
        {
            if (!project.Environment.ContainsKey(variable))
            {
                Problem(service, $"secret '{definition.Key}' takes its value from ${variable}, which is not set", $"set {variable} in the shell or the project's .env");
                return null;
            }
            return new EnvironmentSecretSource(variable);
        }
        Problem(service, $"secret '{definition.Key}' says neither file, environment nor external", "give it one of them");
        return null;
    }
}
